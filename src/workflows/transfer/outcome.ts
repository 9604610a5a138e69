import { CancellationScope, allHandlersFinished, condition } from '@temporalio/workflow';
import type { TransferNoteStatus, TransferOutcome, TransferResult } from '../../contracts';
import { holdAgent, releaseAgent } from './routing';
import type { TransferState } from './state';
import { markNote } from './summary';

/** What the agent's CRM note says for each way a transfer ends. */
const NOTE: Record<TransferOutcome, { status: TransferNoteStatus; reason: string }> = {
  transferred: { status: 'transferred', reason: 'Vapi reported the call forwarded' },
  'transfer-initiated': { status: 'transferred', reason: 'Vapi accepted the transfer; it reported nothing more' },
  unknown: { status: 'outcome-unknown', reason: 'the transfer may or may not have reached the caller' },
  'not-connected': { status: 'not-transferred', reason: 'nobody could be reached' },
  'caller-hung-up': { status: 'not-transferred', reason: 'the caller hung up' },
  'deadline-missed': { status: 'not-transferred', reason: 'Vapi was told there was no destination' },
  abandoned: { status: 'abandoned', reason: 'the caller hung up while waiting in line' },
  'callback-promised': { status: 'callback-promised', reason: 'the caller was promised a call back' },
  failed: { status: 'not-transferred', reason: 'transfer not completed' },
  cancelled: { status: 'not-transferred', reason: 'transfer cancelled' },
};

/** Outcomes after which the caller is (or may be) with the agent: the agent stays busy until ready. */
const WITH_THE_AGENT: ReadonlySet<TransferOutcome> = new Set(['transferred', 'transfer-initiated', 'unknown']);

/**
 * Records the outcome and ends the run: the agent the caller reached (or may have reached) stays busy until
 * marked ready or the department's after-call time has passed; an agent the call never reached is free at
 * once; the note says what happened. None of it can be cancelled half-way.
 */
export async function settle(transfer: TransferState, outcome: TransferOutcome): Promise<TransferResult> {
  const agentId = transfer.decision?.agentId;
  await CancellationScope.nonCancellable(async () => {
    if (agentId && WITH_THE_AGENT.has(outcome)) await holdAgent(transfer, agentId, outcome === 'transferred' ? '' : ` (${outcome})`);
    else if (agentId) await releaseAgent(transfer, agentId, `: call ${outcome}`);
    await markNote(transfer, NOTE[outcome].status, NOTE[outcome].reason);
  });
  const failed = outcome === 'not-connected' || outcome === 'failed' || outcome === 'deadline-missed';
  transfer.finish(failed ? 'failed' : 'completed', outcome);
  // A cancelled run settles too: waiting for its handlers must not be cancelled with it.
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  return { outcome, decision: transfer.decision };
}
