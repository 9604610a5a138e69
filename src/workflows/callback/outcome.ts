import { CancellationScope, isCancellation, log } from '@temporalio/workflow';
import type { CallbackOutcome, CallbackResult, TransferNoteStatus } from '../../contracts';
import { afterwards } from '../transfer/activities';
import { describeFailure } from '../transfer/describe';
import { holdAgent, release } from './line';
import type { CallbackState } from './state';

/** What the agent's CRM note says for each way a callback ends. */
const NOTE: Record<CallbackOutcome, TransferNoteStatus> = {
  transferred: 'transferred',
  'transfer-initiated': 'transferred',
  unknown: 'outcome-unknown',
  missed: 'callback-missed',
  failed: 'callback-failed',
  cancelled: 'callback-failed',
};

/** Outcomes after which the caller is (or may be) with the agent: the agent stays busy until ready. */
const WITH_THE_AGENT: ReadonlySet<CallbackOutcome> = new Set(['transferred', 'transfer-initiated', 'unknown']);

/**
 * Ends the callback: the agent the caller reached (or may have reached) stays busy, any other agent — or,
 * with none, the callback's place in line — is let go; the note the agent reads says how it ended; missed
 * and failed callbacks are counted. None of it can be cancelled half-way.
 */
export async function settleCallback(state: CallbackState, outcome: CallbackOutcome, reason: string): Promise<CallbackResult> {
  const agentId = state.status.agentId ?? undefined;
  await CancellationScope.nonCancellable(async () => {
    if (agentId && WITH_THE_AGENT.has(outcome)) await holdAgent(state, agentId, outcome === 'transferred' ? '' : ` (${outcome})`);
    else await release(state, agentId, `: call back ${outcome}`);
    const { noteId } = state.input;
    if (noteId) {
      await afterwards.markSummary.executeWithOptions({ summary: `Mark the CRM summary ${NOTE[outcome]}` }, [{ noteId, status: NOTE[outcome], reason: `call back: ${reason}` }]).catch((error: unknown) => {
        if (isCancellation(error)) throw error;
        log.warn('could not update the CRM note', { status: NOTE[outcome], error: describeFailure(error) });
      });
    }
  });
  if (outcome === 'missed' || outcome === 'failed') state.count(outcome);
  return state.finish(outcome, reason);
}
