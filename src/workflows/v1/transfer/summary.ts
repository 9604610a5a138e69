import { isCancellation, log } from '@temporalio/workflow';
import type { RoutingDecision } from '../../../contracts';
import type { Compensations } from '../../saga';
import { compensations, crm } from './activities';
import { describeFailure } from './describe';
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
    saga.add('markSummaryNotTransferred', () =>
      transfer.step('markSummaryNotTransferred', () =>
        compensations.markSummaryNotTransferred.executeWithOptions({ summary: 'Mark the CRM summary as not transferred' }, [
          { noteId: note.noteId, reason: 'transfer not completed' },
        ]),
      ),
    );
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('summary not posted; transferring without it', { error: describeFailure(error) });
  }
}
