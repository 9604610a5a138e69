import { condition } from '@temporalio/workflow';
import type { TransferOutcome } from '../../contracts';
import type { TransferState } from './state';

/** A decision reached this long past `answerBy` was surely too late for the API, whatever its clock says. */
const CLOCK_GRACE_MS = 1_000;

/**
 * A transfer-destination-request: Vapi executes the transfer itself once the API hands it our answer. Until
 * Vapi reports, the transfer may be with Vapi, and nothing is undone, except when the API gave up first (it
 * told Vapi there is no destination, so Vapi transfers nothing): then the run abandons, `deadline-missed`.
 */
export async function handOverToVapi(transfer: TransferState): Promise<TransferOutcome> {
  const { request } = transfer;
  transfer.status.stage = 'awaiting-outcome';
  if (request.answerBy && Date.now() > Date.parse(request.answerBy) + CLOCK_GRACE_MS) transfer.abandoned = true;
  if (!transfer.abandoned) {
    transfer.maybeSent();
    await condition(() => transfer.reported !== null || transfer.abandoned, request.outcomeTimeoutSeconds * 1000, { summary: 'Wait for Vapi to report the transfer' });
  }
  if (transfer.reported === null && transfer.abandoned) {
    // Vapi was told "no destination" and cannot have transferred on our answer: what the transfer holds is freed.
    transfer.sent = 'no';
    return 'deadline-missed';
  }
  return transfer.reportedOutcome ?? 'transfer-initiated';
}
