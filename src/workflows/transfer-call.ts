import { patched, workflowInfo } from '@temporalio/workflow';
import type { TransferRequest, TransferResult } from '../contracts';
import { Compensations } from './saga';
import { deliver } from './transfer/delivery';
import { handOverToVapi } from './transfer/destination';
import { endOnFailure } from './transfer/failure';
import { registerHandlers } from './transfer/handlers';
import { afterTheLine, waitInLine } from './transfer/line';
import { settle } from './transfer/outcome';
import { routeTransfer } from './transfer/routing';
import { TransferState } from './transfer/state';
import { postSummary } from './transfer/summary';
import { transferCall as transferCallV1 } from './v1/transfer-call';

/**
 * The patch that selects this generation of the transfer. A 1.0 history has no marker for it, so a 1.0
 * transfer — replayed, or in flight across the upgrade — goes on as 1.0 did (src/workflows/v1, frozen).
 */
export const GENERATION_2 = 'transfer-generation-2';

/**
 * One transfer request, from the caller's words to the control `transfer`: read the routing inputs, decide
 * (rules 1-7 here, rules 8-11 on the floor, which reserves the agent), post the summary, wait in the
 * department's line with the assistant when every qualified agent is busy, deliver the transfer
 * to the call's controlUrl, and settle: the agent stays busy while the caller is with them, the note says how
 * it went. Everything up to the POST runs in the first workflow task; a transfer that goes well takes three.
 *
 * Guarantees: undo only while nothing can have reached Vapi. A transfer is POSTed again only after Vapi's API
 * says the caller is still with the assistant (see delivery.ts); once a POST may be with Vapi, nothing is
 * compensated and nobody apologises; otherwise compensations run newest first, cannot be cancelled, and the
 * caller is told. A CRM outage and a failed summary never block the transfer. Fails with
 * {@link FailureType.TransferFailed}; ends cancelled when cancelled before anything was sent.
 */
export async function transferCall(request: TransferRequest): Promise<TransferResult> {
  if (!patched(GENERATION_2)) return transferCallV1(request);
  const transfer = new TransferState(request, workflowInfo().workflowId);
  registerHandlers(transfer);
  const saga = new Compensations();
  try {
    let routed = await routeTransfer(transfer, saga);
    await postSummary(transfer, routed.decision, saga);
    if (routed.decision.queued) {
      const waited = await waitInLine(transfer, routed, routed.decision.queued, 'joined');
      if ('callback' in waited) return await settle(transfer, 'callback-promised');
      routed = await afterTheLine(transfer, routed, waited);
    }
    transfer.stopIfCallEnded();
    const outcome = request.mode === 'destination-request' ? await handOverToVapi(transfer) : await deliver(transfer, routed);
    return await settle(transfer, outcome);
  } catch (error) {
    return await endOnFailure(transfer, saga, error);
  }
}
