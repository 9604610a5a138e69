import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FailureType } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import type { Crm } from '../../src/integrations/crm';
import { SORRY_MESSAGE } from '../../src/workflows/transfer-call';
import { transferRequest } from '../support/factories';
import { held, runTransfer, waitForStep } from '../support/run-transfer';
import { connectTestEnv } from '../support/temporal';

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
  it('runs the four steps in order and posts exactly one transfer to the controlUrl', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { value, status, deps } = await runTransfer(env, request);

    expect(value).toMatchObject({ outcome: 'transfer-initiated', decision: { department: 'billing', agentId: 'a-ana' } });
    expect(status.steps.map((step) => [step.name, step.status])).toEqual([
      ['enrichCustomer', 'completed'],
      ['pickAgent', 'completed'],
      ['postSummary', 'completed'],
      ['executeTransfer', 'completed'],
    ]);
    expect(status).toMatchObject({ stage: 'completed', outcome: 'transfer-initiated', failure: null });
    const commands = control.commandsFor(request.callId);
    expect(commands).toHaveLength(1);
    expect(commands[0]!.path).toBe(`/${request.callId}/control`);
    expect(commands[0]!.body).toEqual({
      type: 'transfer',
      destination: { type: 'number', number: '+12025550101', transferPlan: { mode: 'blind-transfer' } },
      content: 'Connecting you to billing now.',
    });
    expect(await deps.reservations.activeCount('a-ana')).toBe(1);
    expect([...deps.crm.notes.values()]).toEqual([expect.objectContaining({ customerId: 'c-1001', status: 'pending-transfer' })]);
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
      ['enrichCustomer', 'completed'],
      ['pickAgent', 'completed'],
      ['postSummary', 'completed'],
      ['executeTransfer', 'failed'],
      ['markSummaryNotTransferred', 'completed'],
      ['releaseAgent', 'completed'],
      ['sayToCaller', 'completed'],
    ]);
    expect(status).toMatchObject({ stage: 'failed', outcome: 'failed', failure: { type: FailureType.ControlUrlRejected } });
    expect(await deps.reservations.activeCount('a-ana')).toBe(0);
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

  it('does not resend a transfer whose answer never came back, and keeps the reservation', async () => {
    control.respondWith(() => ({ status: 200, delayMs: 3_000 }));
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { error, status, deps } = await runTransfer(env, request);

    expect(failureChain(error).causeType).toBe(FailureType.TransferOutcomeUnknown);
    expect(control.commandsFor(request.callId)).toHaveLength(1);
    expect(status.outcome).toBe('unknown');
    expect(await deps.reservations.activeCount('a-ana')).toBe(1);
  });

  it('routes with defaults when the CRM is down instead of failing the transfer', async () => {
    const brokenCrm: Crm = {
      findCustomer: async () => {
        throw new Error('ECONNREFUSED crm.internal');
      },
      upsertTransferNote: async () => ({ noteId: 'n-1' }),
      updateNoteStatus: async () => undefined,
    };
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { value, status } = await runTransfer(env, request, { deps: { crm: brokenCrm } });

    expect(value?.outcome).toBe('transfer-initiated');
    expect(status.steps[0]).toMatchObject({ name: 'enrichCustomer', status: 'failed' });
    expect(control.commandsFor(request.callId)).toHaveLength(1);
  });

  it('still transfers when the summary cannot be posted', async () => {
    const crmWithoutNotes: Crm = {
      findCustomer: async () => null,
      upsertTransferNote: async () => {
        throw new Error('notes service unavailable');
      },
      updateNoteStatus: async () => undefined,
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

  it('when cancelled before the transfer, runs the compensations and ends cancelled without transferring', async () => {
    let releaseSummary!: () => void;
    const summaryGate = new Promise<void>((resolve) => (releaseSummary = resolve));
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const { error, status, deps } = await runTransfer(env, request, {
      // Holds the workflow between steps so the test can cancel it there.
      wrap: (activities) => ({ postSummary: held(summaryGate, activities.postSummary) }),
      whileRunning: async (handle) => {
        await waitForStep(handle, 'postSummary');
        await handle.cancel();
        releaseSummary();
      },
    });

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(status).toMatchObject({ stage: 'cancelled', outcome: 'cancelled' });
    expect(status.steps.map((step) => step.name)).toContain('releaseAgent');
    expect(await deps.reservations.activeCount('a-ana')).toBe(0);
    expect(control.commandsFor(request.callId)).toHaveLength(0);
  });
});
