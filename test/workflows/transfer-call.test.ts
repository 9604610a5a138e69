import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FailureType, callEventSignal } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import type { Crm } from '../../src/integrations/crm';
import { SORRY_MESSAGE } from '../../src/workflows/v1/transfer/describe';
import { transferRequest } from '../support/factories';
import { activeTransfers, runTransfer, waitForStage, waitForStep, whileTheControlUrlIsDown } from '../support/run-transfer';
import { connectTestEnv } from '../support/temporal';
import type { Activities } from '../../src/activities';

let env: TestWorkflowEnvironment;
let control: FakeControlServer;

beforeAll(async () => {
  env = await connectTestEnv();
  control = await startFakeControlServer();
});

afterAll(async () => {
  await control?.close();
  await env?.teardown();
});

beforeEach(() => control.respondWith(() => ({ status: 200, body: {} })));

function failureChain(error: unknown): { workflowType?: string; activityType?: string; causeType?: string } {
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const top = (error as WorkflowFailedError).cause;
  expect(top).toBeInstanceOf(ApplicationFailure);
  const activity = (top as ApplicationFailure).cause;
  const cause = activity instanceof ActivityFailure ? activity.cause : undefined;
  return {
    workflowType: (top as ApplicationFailure).type ?? undefined,
    activityType: activity instanceof ActivityFailure ? activity.activityType : undefined,
    causeType: cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined,
  };
}

describe('transferCall workflow', () => {
  it('reads the routing inputs, reserves, posts the summary and exactly one transfer, and records it transferred when Vapi reports forwarding', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { value, status, deps, handle } = await runTransfer(env, request, { vapiReports: [{ kind: 'forwarding' }] });

    expect(value).toMatchObject({ outcome: 'transferred', decision: { department: 'billing', agentId: 'a-ana', decidedBy: 'known-agent' } });
    expect(status.steps.map((step) => [step.name, step.status])).toEqual([
      ['loadRoutingPolicy', 'completed'],
      ['assessTone', 'completed'],
      ['enrichCustomer', 'completed'],
      ['loadAgentStates', 'completed'],
      ['reserveAgent', 'completed'],
      ['postSummary', 'completed'],
      ['executeTransfer', 'completed'],
      ['releaseAgent', 'completed'],
    ]);
    expect(status).toMatchObject({ stage: 'completed', outcome: 'transferred', failure: null, callEvents: [{ kind: 'forwarding' }] });
    const commands = control.commandsFor(request.callId);
    expect(commands).toHaveLength(1);
    expect(commands[0]!.path).toBe(`/${request.callId}/control`);
    expect(commands[0]!.body).toEqual({
      type: 'transfer',
      destination: { type: 'number', number: '+12025550101', transferPlan: { mode: 'warm-transfer-say-summary' } },
      content: 'Connecting you to billing now.',
    });
    expect(await activeTransfers(deps, 'a-ana')).toBe(0);
    expect([...deps.crm.notes.values()]).toEqual([
      expect.objectContaining({
        customerId: 'c-1001',
        status: 'pending-transfer',
        routing: expect.objectContaining({ decidedBy: 'known-agent', reasons: expect.arrayContaining(['Known agent: a-ana helped this customer last time.']) }),
      }),
    ]);
    const memo = (await handle.describe()).memo as { routing?: { decidedBy: string } };
    expect(memo.routing?.decidedBy).toBe('known-agent');
  });

  it('records an accepted transfer as initiated, and keeps the agent booked, when Vapi reports nothing in time', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 1 });

    const { value, status, deps } = await runTransfer(env, request);

    expect(value?.outcome).toBe('transfer-initiated');
    expect(status.stage).toBe('completed');
    expect(await activeTransfers(deps, 'a-ana')).toBe(1);
  });

  it('records a transfer Vapi could not connect as not-connected and frees the agent', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { value, status, deps } = await runTransfer(env, request, {
      vapiReports: [{ kind: 'ended', endedReason: 'call.forwarding.no-answer' }],
    });

    expect(value?.outcome).toBe('not-connected');
    expect(status.stage).toBe('failed');
    expect(await activeTransfers(deps, 'a-ana')).toBe(0);
  });

  it('stops retrying when the caller hangs up before the transfer got through, compensates, and says nothing to an empty line', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { value, status, deps } = await runTransfer(
      env,
      request,
      whileTheControlUrlIsDown(control, (handle) => handle.signal(callEventSignal, { kind: 'ended', endedReason: 'customer-ended-call' })),
    );

    expect(value?.outcome).toBe('caller-hung-up');
    const commands = control.commandsFor(request.callId).map((command) => (command.body as { type: string }).type);
    expect(commands.every((type) => type === 'transfer')).toBe(true);
    expect(status.steps.map((step) => step.name).slice(-2)).toEqual(['markSummaryNotTransferred', 'releaseAgent']);
    expect(status.steps.filter((step) => step.name === 'executeTransfer').length).toBe(commands.length);
    expect(await activeTransfers(deps, 'a-ana')).toBe(0);
    expect([...deps.crm.notes.values()]).toEqual([expect.objectContaining({ status: 'not-transferred' })]);
  });

  it('routes nobody when the caller has already hung up by the time the workflow runs', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { value, status, deps } = await runTransfer(env, request, {
      beforeWorkerStarts: (handle) => handle.signal(callEventSignal, { kind: 'ended', endedReason: 'customer-ended-call' }),
    });

    expect(value?.outcome).toBe('caller-hung-up');
    expect(control.commandsFor(request.callId)).toHaveLength(0);
    expect(status.steps.map((step) => step.name)).not.toContain('reserveAgent');
    expect(await activeTransfers(deps, 'a-ana')).toBe(0);
  });

  it('when the controlUrl refuses the transfer (4xx), it does not retry, releases the agent, marks the summary and tells the caller', async () => {
    control.respondWith((command) => ((command.body as { type: string }).type === 'transfer' ? { status: 400, body: { message: ['property x should not exist'] } } : { status: 200 }));
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { error, status, deps } = await runTransfer(env, request);

    expect(failureChain(error)).toEqual({
      workflowType: FailureType.TransferFailed,
      activityType: 'executeTransfer',
      causeType: FailureType.ControlUrlRejected,
    });
    const commands = control.commandsFor(request.callId).map((command) => command.body);
    expect(commands).toEqual([expect.objectContaining({ type: 'transfer' }), { type: 'say', content: SORRY_MESSAGE }]);
    expect(status.steps.map((step) => [step.name, step.status])).toEqual([
      ['loadRoutingPolicy', 'completed'],
      ['assessTone', 'completed'],
      ['enrichCustomer', 'completed'],
      ['loadAgentStates', 'completed'],
      ['reserveAgent', 'completed'],
      ['postSummary', 'completed'],
      ['executeTransfer', 'failed'],
      ['markSummaryNotTransferred', 'completed'],
      ['releaseAgent', 'completed'],
      ['sayToCaller', 'completed'],
    ]);
    expect(status).toMatchObject({ stage: 'failed', outcome: 'failed', failure: { type: FailureType.ControlUrlRejected } });
    expect(await activeTransfers(deps, 'a-ana')).toBe(0);
    expect([...deps.crm.notes.values()]).toEqual([expect.objectContaining({ status: 'not-transferred' })]);
  });

  it('retries a controlUrl that answers 503 and transfers once it recovers', async () => {
    let transferAttempts = 0;
    control.respondWith(() => {
      transferAttempts += 1;
      return transferAttempts <= 2 ? { status: 503 } : { status: 200 };
    });
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { value } = await runTransfer(env, request);

    expect(value?.outcome).toBe('transfer-initiated');
    expect(control.commandsFor(request.callId)).toHaveLength(3);
  });

  it('does not resend a transfer whose answer never came back, and records the outcome unknown when Vapi stays silent', async () => {
    control.respondWith(() => ({ status: 200, delayMs: 3_000 }));
    const request = transferRequest({ controlBaseUrl: control.baseUrl, fallbackCheckSeconds: 1 });

    const { value, status, deps } = await runTransfer(env, request);

    expect(value?.outcome).toBe('unknown');
    expect(control.commandsFor(request.callId)).toHaveLength(1);
    expect(status.steps.find((step) => step.name === 'executeTransfer')).toMatchObject({ status: 'failed', error: expect.stringContaining(FailureType.TransferOutcomeUnknown) });
    expect(await activeTransfers(deps, 'a-ana')).toBe(1);
  });

  it('trusts Vapi’s report over a lost answer: a forwarded call after a timeout is transferred, once', async () => {
    control.respondWith(() => ({ status: 200, delayMs: 3_000 }));
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30, fallbackCheckSeconds: 1 });

    const { value } = await runTransfer(env, request, { vapiReports: [{ kind: 'ended', endedReason: 'assistant-forwarded-call' }] });

    expect(value?.outcome).toBe('transferred');
    expect(control.commandsFor(request.callId)).toHaveLength(1);
  });

  it('routes with defaults when the CRM is down instead of failing the transfer', async () => {
    const brokenCrm: Crm = {
      findCustomer: async () => {
        throw new Error('ECONNREFUSED crm.internal');
      },
      upsertTransferNote: async () => ({ noteId: 'n-1' }),
      updateNoteStatus: async () => ({ changed: true }),
    };
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { value, status } = await runTransfer(env, request, { deps: { crm: brokenCrm } });

    expect(value?.outcome).toBe('transfer-initiated');
    expect(status.steps.find((step) => step.name === 'enrichCustomer')).toMatchObject({ status: 'failed' });
    expect(control.commandsFor(request.callId)).toHaveLength(1);
  });

  it('still transfers when the summary cannot be posted', async () => {
    const crmWithoutNotes: Crm = {
      findCustomer: async () => null,
      upsertTransferNote: async () => {
        throw new Error('notes service unavailable');
      },
      updateNoteStatus: async () => ({ changed: true }),
    };
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { value, status } = await runTransfer(env, request, { deps: { crm: crmWithoutNotes } });

    expect(value?.outcome).toBe('transfer-initiated');
    expect(status.steps.find((step) => step.name === 'postSummary')).toMatchObject({ status: 'failed' });
    expect(control.commandsFor(request.callId)).toHaveLength(1);
  });

  it('sends an unknown department to the general line, blind', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, department: 'astrology', reason: 'my horoscope' });

    const { value } = await runTransfer(env, request);

    expect(value?.decision).toMatchObject({ department: null, agentId: null, mode: 'blind-transfer', destination: { number: '+12025550100' } });
  });

  it('when cancelled before the transfer got through, runs the compensations and ends cancelled without transferring', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { error, status, deps } = await runTransfer(
      env,
      request,
      whileTheControlUrlIsDown(control, (handle) => handle.cancel()),
    );

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(status).toMatchObject({ stage: 'cancelled', outcome: 'cancelled' });
    expect(status.steps.map((step) => step.name).slice(-2)).toEqual(['markSummaryNotTransferred', 'releaseAgent']);
    expect(await activeTransfers(deps, 'a-ana')).toBe(0);
    expect(control.commandsFor(request.callId).map((command) => (command.body as { type: string }).type)).not.toContain('say');
  });

  it('when cancelled after the transfer was sent, keeps it: no compensation, outcome transfer-initiated, agent still held', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 60 });

    const { value, status, deps } = await runTransfer(env, request, {
      whileRunning: async (handle) => {
        await waitForStage(handle, 'awaiting-outcome');
        await handle.cancel();
      },
    });

    expect(value).toMatchObject({ outcome: 'transfer-initiated' });
    expect(status.steps.map((step) => step.name)).not.toContain('markSummaryNotTransferred');
    expect(status.steps.map((step) => step.name)).not.toContain('sayToCaller');
    expect(await activeTransfers(deps, 'a-ana')).toBe(1);
    expect(control.commandsFor(request.callId)).toHaveLength(1);
  });

  it('when cancelled while the transfer POST is in flight, lets it finish once and keeps it', async () => {
    control.respondWith(() => ({ status: 200, delayMs: 600 })); // inside the 1 s client timeout of the test activities
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 60 });

    const { value, status } = await runTransfer(env, request, {
      whileRunning: async (handle) => {
        await control.waitForCommands(request.callId, 1);
        await handle.cancel();
      },
    });

    expect(value).toMatchObject({ outcome: 'transfer-initiated' });
    expect(status.steps.find((step) => step.name === 'executeTransfer')).toMatchObject({ status: 'completed' });
    expect(status.steps.map((step) => step.name)).not.toContain('markSummaryNotTransferred');
    expect(control.commandsFor(request.callId)).toHaveLength(1);
  });
});

describe('a transfer attempt whose fate is unknown (the worker died mid-POST)', () => {
  /** executeTransfer whose first attempt outlives its 5 s start-to-close timeout, as if its worker had died. */
  function firstAttemptHangs(options: { afterPosting: boolean }) {
    let calls = 0;
    return (activities: Activities): Partial<Activities> => ({
      executeTransfer: async (input) => {
        calls += 1;
        if (calls > 1) return activities.executeTransfer(input);
        if (options.afterPosting) await activities.executeTransfer(input);
        await new Promise((resolve) => setTimeout(resolve, 6_000));
        return { status: 200 };
      },
    });
  }

  it('sends once more only when Vapi reported nothing and its API says the caller is still waiting', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 2, fallbackCheckSeconds: 1 });

    let asked = 0;
    const { value, status } = await runTransfer(env, request, {
      wrap: firstAttemptHangs({ afterPosting: false }),
      // Still with the assistant when asked after the lost attempt; being forwarded once the resend arrived.
      deps: { callStatus: { status: async () => (asked++ === 0 ? 'in-progress' : 'forwarding') } },
    });

    expect(value).toMatchObject({ outcome: 'transfer-initiated' });
    expect(status.steps.map((step) => `${step.name}:${step.status}`)).toEqual(
      expect.arrayContaining(['executeTransfer:failed', 'checkCallState:completed', 'executeTransfer:completed']),
    );
    expect(control.commandsFor(request.callId).filter((command) => (command.body as { type: string }).type === 'transfer')).toHaveLength(1);
  }, 30_000);

  it('never sends again when Vapi reports the call forwarded while Switchboard waits', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30, fallbackCheckSeconds: 20 });

    const { value, status } = await runTransfer(env, request, {
      wrap: firstAttemptHangs({ afterPosting: true }),
      deps: { callStatus: { status: async () => 'in-progress' } },
      whileRunning: async (handle) => {
        await control.waitForCommands(request.callId, 1);
        await handle.signal(callEventSignal, { kind: 'forwarding' });
      },
    });

    expect(value).toMatchObject({ outcome: 'transferred' });
    expect(status.steps.filter((step) => step.name === 'executeTransfer')).toHaveLength(1);
    expect(control.commandsFor(request.callId)).toHaveLength(1);
  }, 30_000);

  it('when cancelled while it waits to learn the fate of an attempt, keeps the transfer: outcome unknown, nothing compensated', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30, fallbackCheckSeconds: 20 });

    const { value, status } = await runTransfer(env, request, {
      wrap: firstAttemptHangs({ afterPosting: true }),
      whileRunning: async (handle) => {
        await waitForStep(handle, 'executeTransfer', 'failed');
        await handle.cancel();
      },
    });

    expect(value).toMatchObject({ outcome: 'unknown' });
    expect(status.steps.map((step) => step.name)).not.toContain('markSummaryNotTransferred');
    expect(control.commandsFor(request.callId)).toHaveLength(1);
  }, 30_000);

  it('never sends again when Vapi cannot be asked, and records the outcome as unknown', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 1, fallbackCheckSeconds: 1 });

    const { value, status } = await runTransfer(env, request, { wrap: firstAttemptHangs({ afterPosting: true }) });

    expect(value).toMatchObject({ outcome: 'unknown' });
    expect(status.steps.filter((step) => step.name === 'executeTransfer')).toHaveLength(1);
    expect(status.steps.map((step) => step.name)).not.toContain('sayToCaller');
    expect(control.commandsFor(request.callId)).toHaveLength(1);
  }, 30_000);
});
