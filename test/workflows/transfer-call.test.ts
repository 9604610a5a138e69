import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../src/contracts';
import { FailureType, callEventSignal } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import type { Crm } from '../../src/integrations/crm';
import { HOLD_MESSAGE, SORRY_MESSAGE } from '../../src/workflows/transfer/describe';
import { transferRequest } from '../support/factories';
import { activeTransfers, runTransfer, waitForStage, waitForStep, whileTheControlUrlIsDown } from '../support/run-transfer';
import { connectTestEnv } from '../support/temporal';
import { vapiSays } from '../support/vapi-api';

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

const kinds = (callId: string) => control.commandsFor(callId).map((command) => (command.body as { type: string }).type);
const transferPosts = (callId: string) => control.commandsFor(callId).filter((command) => (command.body as { type: string }).type === 'transfer');
const steps = (status: { steps: { name: string; status: string }[] }) => status.steps.map((step) => `${step.name}:${step.status}`);

describe('transferCall, generation 2', () => {
  it('reads the rules, reserves on the floor, posts the summary and exactly one transfer, and when Vapi reports it forwarded keeps the agent on the call and marks the note', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const run = await runTransfer(env, request, { vapiReports: [{ kind: 'forwarding' }] });

    expect(run.value).toMatchObject({ outcome: 'transferred', decision: { department: 'billing', agentId: 'a-ana', decidedBy: 'known-agent', label: 'agent a-ana' } });
    expect(steps(run.status)).toEqual([
      'loadRoutingRules:completed',
      'assessTone:completed',
      'enrichCustomer:completed',
      'reserveAgent:completed',
      'postSummary:completed',
      'executeTransfer:completed',
      'agentConnected:completed',
      'markSummary:completed',
    ]);
    expect(run.status).toMatchObject({ stage: 'completed', outcome: 'transferred', failure: null, callEvents: [{ kind: 'forwarding' }] });
    const posts = transferPosts(request.callId);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({
      type: 'transfer',
      destination: { type: 'number', number: '+12025550101', transferPlan: { mode: 'warm-transfer-say-summary' } },
      content: 'Connecting you to billing now.',
    });
    // The caller is with a-ana now: she is on a call, not free for the next caller.
    expect(run.agents['a-ana']).toMatchObject({ state: 'on-call', activeTransfers: 1 });
    expect([...run.deps.crm.notes.values()]).toEqual([
      expect.objectContaining({ customerId: 'c-1001', status: 'transferred', routing: expect.objectContaining({ decidedBy: 'known-agent' }) }),
    ]);
    const memo = (await run.handle.describe()).memo as { routing?: { decidedBy: string; version: string; candidates: unknown[] } };
    expect(memo.routing).toMatchObject({ decidedBy: 'known-agent', version: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(memo.routing!.candidates.length).toBeLessThanOrEqual(8);
  });

  it('records an accepted transfer Vapi says nothing more about as initiated, and keeps the agent busy: the caller may be with them', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 1 });

    const run = await runTransfer(env, request);

    expect(run.value?.outcome).toBe('transfer-initiated');
    expect(run.agents['a-ana']).toMatchObject({ state: 'on-call', activeTransfers: 1 });
  });

  it('records a transfer Vapi could not connect as not-connected, frees the agent at once and marks the note not transferred', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const run = await runTransfer(env, request, { vapiReports: [{ kind: 'ended', endedReason: 'call.forwarding.no-answer' }] });

    expect(run.value?.outcome).toBe('not-connected');
    expect(run.status.stage).toBe('failed');
    expect(run.agents['a-ana']).toMatchObject({ state: 'available', activeTransfers: 0 });
    expect([...run.deps.crm.notes.values()]).toEqual([expect.objectContaining({ status: 'not-transferred' })]);
  });

  it('stops retrying when the caller hangs up before the transfer got through, compensates, and says nothing to an empty line', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const run = await runTransfer(env, request, whileTheControlUrlIsDown(control, (handle) => handle.signal(callEventSignal, { kind: 'ended', endedReason: 'customer-ended-call' })));

    expect(run.value?.outcome).toBe('caller-hung-up');
    expect(kinds(request.callId).every((type) => type === 'transfer')).toBe(true);
    expect(run.status.steps.map((step) => step.name).slice(-2)).toEqual(['markSummary', 'releaseAgent']);
    expect(activeTransfers(run, 'a-ana')).toBe(0);
    expect([...run.deps.crm.notes.values()]).toEqual([expect.objectContaining({ status: 'not-transferred' })]);
  });

  it('routes nobody when the caller has already hung up by the time the workflow runs', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const run = await runTransfer(env, request, {
      beforeWorkerStarts: (handle) => handle.signal(callEventSignal, { kind: 'ended', endedReason: 'customer-ended-call' }),
    });

    expect(run.value?.outcome).toBe('caller-hung-up');
    expect(control.commandsFor(request.callId)).toHaveLength(0);
    expect(run.status.steps.map((step) => step.name)).not.toContain('reserveAgent');
    expect(activeTransfers(run, 'a-ana')).toBe(0);
  });

  it('when the controlUrl refuses the transfer (4xx), does not retry, frees the agent, marks the summary and tells the caller', async () => {
    control.respondWith((command) => ((command.body as { type: string }).type === 'transfer' ? { status: 400, body: { message: ['property x should not exist'] } } : { status: 200 }));
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const run = await runTransfer(env, request);

    expect(failureChain(run.error)).toEqual({ workflowType: FailureType.TransferFailed, activityType: 'executeTransfer', causeType: FailureType.ControlUrlRejected });
    expect(control.commandsFor(request.callId).map((command) => command.body)).toEqual([expect.objectContaining({ type: 'transfer' }), { type: 'say', content: SORRY_MESSAGE }]);
    expect(run.status.steps.map((step) => step.name).slice(-4)).toEqual(['executeTransfer', 'markSummary', 'releaseAgent', 'sayToCaller']);
    expect(run.status).toMatchObject({ stage: 'failed', outcome: 'failed', failure: { type: FailureType.ControlUrlRejected } });
    expect(activeTransfers(run, 'a-ana')).toBe(0);
    expect([...run.deps.crm.notes.values()]).toEqual([expect.objectContaining({ status: 'not-transferred' })]);
  });

  it('retries a controlUrl that answers 503 (Vapi did not act) and transfers once it recovers', async () => {
    let transferAttempts = 0;
    control.respondWith(() => ((transferAttempts += 1) <= 2 ? { status: 503 } : { status: 200 }));
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const run = await runTransfer(env, request);

    expect(run.value?.outcome).toBe('transfer-initiated');
    expect(transferPosts(request.callId)).toHaveLength(3);
  });

  it('honours Retry-After on a 429 before sending again', async () => {
    let transferAttempts = 0;
    control.respondWith(() => ((transferAttempts += 1) === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const run = await runTransfer(env, request);

    expect(run.value?.outcome).toBe('transfer-initiated');
    const [first, second] = transferPosts(request.callId);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1_000);
  });

  it.each([500, 502, 504, 408])('never sends a transfer answered %i again blindly: the caller is asked to hold, and without Vapi’s API the outcome is unknown', async (status) => {
    control.respondWith((command) => ((command.body as { type: string }).type === 'transfer' ? { status } : { status: 200 }));
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const run = await runTransfer(env, request);

    expect(run.value?.outcome).toBe('unknown');
    expect(kinds(request.callId)).toEqual(['transfer', 'say']);
    expect(control.commandsFor(request.callId)[1]!.body).toEqual({ type: 'say', content: HOLD_MESSAGE });
    // Nothing undone: the caller may be with a-ana.
    expect(run.status.steps.map((step) => step.name)).not.toContain('releaseAgent');
    expect(run.agents['a-ana']).toMatchObject({ state: 'on-call' });
    expect([...run.deps.crm.notes.values()]).toEqual([expect.objectContaining({ status: 'outcome-unknown' })]);
  });

  it('settles a 502 by asking Vapi at once: a call Vapi says is forwarding is transferred, with one POST', async () => {
    control.respondWith((command) => ((command.body as { type: string }).type === 'transfer' ? { status: 502 } : { status: 200 }));
    const vapi = vapiSays('forwarding');
    const request = transferRequest({ controlBaseUrl: control.baseUrl, warmDialSeconds: 20 });

    const run = await runTransfer(env, request, { deps: { callStatus: vapi.callStatus } });

    expect(run.value?.outcome).toBe('transferred');
    expect(transferPosts(request.callId)).toHaveLength(1);
    expect(vapi.askedAt).toHaveLength(1);
  });

  it('sends a 502 once more only after the dial time, when Vapi reported nothing and its API says the caller is still with the assistant', async () => {
    let transferAttempts = 0;
    control.respondWith((command) => ((command.body as { type: string }).type !== 'transfer' ? { status: 200 } : (transferAttempts += 1) === 1 ? { status: 502 } : { status: 200 }));
    const vapi = vapiSays('in-progress', 'in-progress', 'forwarding');
    const request = transferRequest({ controlBaseUrl: control.baseUrl, warmDialSeconds: 2, outcomeTimeoutSeconds: 30 });

    const run = await runTransfer(env, request, { deps: { callStatus: vapi.callStatus } });

    expect(run.value?.outcome).toBe('transferred');
    const [first, second] = transferPosts(request.callId);
    expect(transferPosts(request.callId)).toHaveLength(2);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(2_000);
  });

  it('never undoes a transfer of unknown fate resent once and then refused: no compensation, no apology, outcome unknown', async () => {
    let transferAttempts = 0;
    control.respondWith((command) => ((command.body as { type: string }).type !== 'transfer' ? { status: 200 } : (transferAttempts += 1) === 1 ? { status: 502 } : { status: 400 }));
    const vapi = vapiSays('in-progress');
    const request = transferRequest({ controlBaseUrl: control.baseUrl, warmDialSeconds: 1, outcomeTimeoutSeconds: 30 });

    const run = await runTransfer(env, request, { deps: { callStatus: vapi.callStatus } });

    expect(run.value?.outcome).toBe('unknown');
    expect(kinds(request.callId)).toEqual(['transfer', 'say', 'transfer']);
    expect(control.commandsFor(request.callId).map((command) => command.body)).not.toContainEqual({ type: 'say', content: SORRY_MESSAGE });
    expect(run.status.steps.map((step) => step.name)).not.toContain('releaseAgent');
    expect([...run.deps.crm.notes.values()]).toEqual([expect.objectContaining({ status: 'outcome-unknown' })]);
  });

  it('trusts Vapi’s report over a lost answer: a forwarded call after a timeout is transferred, once', async () => {
    control.respondWith(() => ({ status: 200, delayMs: 3_000 }));
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30 });

    const run = await runTransfer(env, request, {
      whileRunning: async (handle) => {
        await waitForStep(handle, 'executeTransfer', 'failed');
        await handle.signal(callEventSignal, { kind: 'ended', endedReason: 'assistant-forwarded-call' });
      },
    });

    expect(run.value?.outcome).toBe('transferred');
    expect(transferPosts(request.callId)).toHaveLength(1);
  });

  it('does not fall back while a warm transfer may still ring: Vapi is asked only after the dial time, and only then is the next agent tried', async () => {
    const vapi = vapiSays('in-progress', 'forwarding');
    const request = transferRequest({ controlBaseUrl: control.baseUrl, warmDialSeconds: 3, outcomeTimeoutSeconds: 30 });

    const run = await runTransfer(env, request, { deps: { callStatus: vapi.callStatus } });

    const [first, second] = transferPosts(request.callId);
    expect(vapi.askedAt[0]! - first!.receivedAt).toBeGreaterThanOrEqual(3_000);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(3_000);
    expect(run.value).toMatchObject({ outcome: 'transferred', decision: { decidedBy: 'fallback' } });
    const fallbackAgent = run.value!.decision!.agentId!;
    expect(fallbackAgent).not.toBe('a-ana');
    expect(run.agents['a-ana']).toMatchObject({ activeTransfers: 0 });
    expect(run.agents[fallbackAgent]).toMatchObject({ state: 'on-call' });
  });

  it('never falls back on silence when Vapi cannot be asked', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, warmDialSeconds: 1, outcomeTimeoutSeconds: 3 });

    const run = await runTransfer(env, request);

    expect(run.value?.outcome).toBe('transfer-initiated');
    expect(transferPosts(request.callId)).toHaveLength(1);
  });

  it('when the fallback chain runs out, tells the caller, and leaves no agent reserved', async () => {
    const vapi = vapiSays('in-progress');
    const request = transferRequest({ controlBaseUrl: control.baseUrl, department: 'support', reason: 'my internet is down', customerId: undefined, callerNumber: undefined, outcomeTimeoutSeconds: 30 });

    const run = await runTransfer(env, request, { deps: { callStatus: vapi.callStatus } });

    expect(run.value?.outcome).toBe('not-connected');
    // The first agent, the next one, the support line, the general line: then the apology.
    expect(kinds(request.callId)).toEqual(['transfer', 'transfer', 'transfer', 'transfer', 'say']);
    expect(control.commandsFor(request.callId).at(-1)!.body).toEqual({ type: 'say', content: SORRY_MESSAGE });
    expect(Object.values(run.agents).every((agent) => agent.activeTransfers === 0)).toBe(true);
  });

  it('frees an agent whose reservation answered too late, and sends the caller to the department line', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });
    let reserved: string | null = null;

    const run = await runTransfer(env, request, {
      // The floor reserves, but its answer comes after the reservation's 5 s budget.
      wrap: (activities) => ({
        reserveAgent: async (input) => {
          const answer = await activities.reserveAgent(input);
          reserved = answer.agentId;
          await new Promise((resolve) => setTimeout(resolve, 6_000));
          return answer;
        },
      }),
    });

    expect(reserved).toBe('a-ana');
    expect(run.value).toMatchObject({ outcome: 'transfer-initiated', decision: { agentId: null, label: 'billing line', decidedBy: 'reservation' } });
    expect(run.status.steps.map((step) => `${step.name}:${step.status}`)).toContain('releaseAgent:completed');
    expect(Object.values(run.agents).every((agent) => agent.activeTransfers === 0)).toBe(true);
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

    const run = await runTransfer(env, request, { deps: { crm: brokenCrm } });

    expect(run.value?.outcome).toBe('transfer-initiated');
    expect(run.status.steps.find((step) => step.name === 'enrichCustomer')).toMatchObject({ status: 'failed' });
    expect(transferPosts(request.callId)).toHaveLength(1);
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

    const run = await runTransfer(env, request, { deps: { crm: crmWithoutNotes } });

    expect(run.value?.outcome).toBe('transfer-initiated');
    expect(run.status.steps.find((step) => step.name === 'postSummary')).toMatchObject({ status: 'failed' });
    expect(transferPosts(request.callId)).toHaveLength(1);
  });

  it('sends an unknown department to the general line, blind, reserving nobody', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, department: 'astrology', reason: 'my horoscope' });

    const run = await runTransfer(env, request);

    expect(run.value?.decision).toMatchObject({ department: null, agentId: null, mode: 'blind-transfer', label: 'general line', destination: { number: '+12025550100' } });
    expect(run.status.steps.map((step) => step.name)).not.toContain('reserveAgent');
  });

  it('when cancelled before the transfer got through, runs the compensations and ends cancelled without transferring', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const run = await runTransfer(env, request, whileTheControlUrlIsDown(control, (handle) => handle.cancel()));

    expect(run.error).toBeInstanceOf(WorkflowFailedError);
    expect((run.error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(run.status).toMatchObject({ stage: 'cancelled', outcome: 'cancelled' });
    expect(run.status.steps.map((step) => step.name).slice(-2)).toEqual(['markSummary', 'releaseAgent']);
    expect(activeTransfers(run, 'a-ana')).toBe(0);
    expect(kinds(request.callId)).not.toContain('say');
  });

  it('when cancelled after the transfer was sent, keeps it: nothing compensated, outcome transfer-initiated, the agent held', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 60 });

    const run = await runTransfer(env, request, {
      whileRunning: async (handle) => {
        await waitForStage(handle, 'awaiting-outcome');
        await handle.cancel();
      },
    });

    expect(run.value).toMatchObject({ outcome: 'transfer-initiated' });
    expect(kinds(request.callId)).toEqual(['transfer']);
    expect(run.agents['a-ana']).toMatchObject({ state: 'on-call' });
  });

  it('when cancelled while the transfer POST is in flight, lets it finish once and keeps it', async () => {
    control.respondWith(() => ({ status: 200, delayMs: 600 })); // inside the 1 s client timeout of the test activities
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 60 });

    const run = await runTransfer(env, request, {
      whileRunning: async (handle) => {
        await control.waitForCommands(request.callId, 1);
        await handle.cancel();
      },
    });

    expect(run.value).toMatchObject({ outcome: 'transfer-initiated' });
    expect(run.status.steps.find((step) => step.name === 'executeTransfer')).toMatchObject({ status: 'completed' });
    expect(transferPosts(request.callId)).toHaveLength(1);
  });
});

describe('a transfer attempt whose worker was lost', () => {
  /** executeTransfer whose first attempt stops heartbeating, as if its worker had died: before sending, or after. */
  function firstAttemptLost(options: { afterSending: boolean }) {
    let calls = 0;
    return (activities: Activities): Partial<Activities> => ({
      executeTransfer: async (input) => {
        calls += 1;
        if (calls > 1) return activities.executeTransfer(input);
        if (options.afterSending) await activities.executeTransfer(input);
        await new Promise((resolve) => setTimeout(resolve, 7_000));
        return { status: 200 };
      },
    });
  }

  it('sends an attempt that never left again at once: its worker died before the attempt was recorded', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const run = await runTransfer(env, request, { wrap: firstAttemptLost({ afterSending: false }) });

    expect(run.value).toMatchObject({ outcome: 'transfer-initiated' });
    expect(steps(run.status)).toEqual(expect.arrayContaining(['executeTransfer:failed', 'executeTransfer:completed']));
    // Straight to the second attempt: no doubt to resolve, so nobody was asked to hold.
    expect(kinds(request.callId)).toEqual(['transfer']);
  }, 30_000);

  it('never sends an attempt that may have left again while Vapi cannot be asked: the caller holds, the outcome is unknown', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const run = await runTransfer(env, request, { wrap: firstAttemptLost({ afterSending: true }) });

    expect(run.value).toMatchObject({ outcome: 'unknown' });
    expect(kinds(request.callId)).toEqual(['transfer', 'say']);
    expect(run.agents['a-ana']).toMatchObject({ state: 'on-call' });
  }, 30_000);

  it('settles an attempt that may have left with Vapi’s word: forwarded, once', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30 });

    const run = await runTransfer(env, request, { wrap: firstAttemptLost({ afterSending: true }), deps: { callStatus: vapiSays('forwarding').callStatus } });

    expect(run.value).toMatchObject({ outcome: 'transferred' });
    expect(transferPosts(request.callId)).toHaveLength(1);
  }, 30_000);

  it('when cancelled while it learns the fate of an attempt, keeps the transfer: outcome unknown, nothing compensated', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30, warmDialSeconds: 20 });

    const run = await runTransfer(env, request, {
      wrap: firstAttemptLost({ afterSending: true }),
      whileRunning: async (handle) => {
        await waitForStage(handle, 'resolving-doubt');
        await handle.cancel();
      },
    });

    expect(run.value).toMatchObject({ outcome: 'unknown' });
    expect(run.status.steps.map((step) => step.name)).not.toContain('releaseAgent');
    expect(transferPosts(request.callId)).toHaveLength(1);
  }, 30_000);
});
