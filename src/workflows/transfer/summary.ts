import { isCancellation, log } from '@temporalio/workflow';
import type { TransferNoteStatus, RoutingDecision } from '../../contracts';
import type { Compensations } from '../saga';
import { afterwards, crm } from './activities';
import { describeFailure } from './describe';
import { UNDO, UNDO_PREFIX } from './undo';
import type { TransferState } from './state';

/**
 * Posts the note the receiving agent reads, keyed by the transfer id, and pushes its undo. Best effort: the
 * agent can do without the note, the caller cannot do without the transfer.
 */
export async function postSummary(transfer: TransferState, decision: RoutingDecision, saga: Compensations): Promise<void> {
  const { request, transferId } = transfer;
  transfer.status.stage = 'summarizing';
  try {
    const note = await transfer.step('postSummary', () =>
      crm.postSummary.executeWithOptions({ summary: 'Post the conversation summary to the CRM' }, [
        { transferId, customer: transfer.customer!, decision, reason: request.reason, urgency: request.urgency, callerWords: request.callerWords },
      ]),
    );
    transfer.noteId = note.noteId;
    saga.add(UNDO.markSummary, () => markNote(transfer, 'not-transferred', 'transfer not completed', { undo: true }));
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('summary not posted; transferring without it', { error: describeFailure(error) });
  }
}

/** Moves the note's status forward so the agent's CRM says what became of the call; best effort unless asked. */
export async function markNote(transfer: TransferState, status: TransferNoteStatus, reason: string, options: { undo?: boolean } = {}): Promise<void> {
  if (!transfer.noteId) return;
  const noteId = transfer.noteId;
  await transfer.step(
    'markSummary',
    () => afterwards.markSummary.executeWithOptions({ summary: `${options.undo ? UNDO_PREFIX : ''}Mark the CRM summary ${status}` }, [{ noteId, status, reason }]).then(() => undefined),
    // An undo's failure is the saga's to record (it logs it and goes on); any other is logged here.
    options.undo
      ? undefined
      : (error) => {
          log.warn('could not update the CRM note', { status, error: describeFailure(error) });
        },
  );
}
