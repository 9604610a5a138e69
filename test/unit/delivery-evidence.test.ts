import { FailureType } from '../../src/contracts';
import type { TransferOutcome } from '../../src/contracts';
import { deliveryEvidence } from '../../src/operations/delivery-evidence';
import type { StepTiming, TransferHistory } from '../../src/operations/transfer-history';

function post(overrides: Partial<StepTiming>): StepTiming {
  return {
    activity: 'executeTransfer',
    kind: 'activity',
    summary: 'Transfer to agent a-ana',
    status: 'completed',
    attempts: 1,
    scheduledAt: '2026-12-07T10:00:00.000Z',
    startedAt: '2026-12-07T10:00:00.010Z',
    finishedAt: '2026-12-07T10:00:00.120Z',
    durationMs: 120,
    error: null,
    failureType: null,
    wasSending: null,
    ...overrides,
  };
}

function run(steps: StepTiming[], outcome?: TransferOutcome): TransferHistory {
  return {
    request: null,
    steps,
    localResults: [],
    firstTaskStartedAt: null,
    memo: {},
    signals: [],
    result: outcome ? { outcome, decision: null } : null,
    failure: null,
    closedAs: outcome ? 'completed' : 'failed',
  };
}

const failed = (failureType: string, error: string) => post({ status: 'failed', failureType, error });

describe('what a run history proves about whether its transfer reached Vapi', () => {
  it('counts nothing reached when every POST was refused, answered 503 or 429, or died before it was written', () => {
    const evidence = deliveryEvidence(
      run([
        failed(FailureType.ControlUrlUnavailable, 'control URL answered 503'),
        post({ status: 'timed-out', error: 'timed out', wasSending: false }),
        failed(FailureType.ControlUrlRejected, 'control URL answered 400'),
      ]),
    );
    expect(evidence).toEqual({ mayHaveReached: false, posts: 3 });
  });

  it('names the first POST that may have reached Vapi: accepted, in doubt, timed out while sending, or cut off', () => {
    expect(deliveryEvidence(run([post({})]))).toMatchObject({ mayHaveReached: true, why: 'Transfer to agent a-ana (2026-12-07T10:00:00.000Z) was accepted by Vapi' });
    expect(deliveryEvidence(run([failed(FailureType.TransferOutcomeUnknown, 'control URL answered 502')]))).toMatchObject({ why: expect.stringMatching(/ended in doubt \(control URL answered 502\)$/) });
    expect(deliveryEvidence(run([post({ status: 'timed-out', wasSending: true })]))).toMatchObject({ why: expect.stringMatching(/timed out after it may have been written$/) });
    expect(deliveryEvidence(run([post({ status: 'timed-out', wasSending: null })]))).toMatchObject({ mayHaveReached: true });
    expect(deliveryEvidence(run([post({ status: 'running', finishedAt: null })]))).toMatchObject({ why: expect.stringMatching(/never finished/) });
    expect(deliveryEvidence(run([failed('SomethingNobodyClassified', 'boom')]))).toMatchObject({ mayHaveReached: true });
  });

  it('takes Vapi at its word when it said no destination connected and the caller is back with the assistant', () => {
    expect(deliveryEvidence(run([post({}), post({ summary: 'Transfer to billing line' })], 'not-connected'))).toEqual({ mayHaveReached: false, posts: 2 });
  });

  it('ignores runs that never POSTed', () => {
    expect(deliveryEvidence(run([post({ activity: 'postSummary' })]))).toEqual({ mayHaveReached: false, posts: 0 });
  });
});
