import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { TransferRequest, TransferResult } from '../../contracts';
import { FailureType } from '../../contracts';
import { Compensations } from '../saga';
import { sendTransfer } from './transfer/attempts';
import { announcement, target } from './transfer/describe';
import { endOnFailure } from './transfer/failure';
import { followFallbackChain } from './transfer/fallback';
import { registerHandlers } from './transfer/handlers';
import { awaitOutcome, settle } from './transfer/outcome';
import { releaseAgent, routeAndReserve } from './transfer/routing';
import { TransferState } from './transfer/state';
import { postSummary } from './transfer/summary';

/**
 * One transfer request, from the caller's words to the control `transfer`: read the routing inputs, decide
 * and reserve an agent, post the summary, POST the transfer to the call's controlUrl, then wait for Vapi's
 * word on it. Everything up to the POST runs as local activities in the first workflow task; the POST is the
 * first activity, so a transfer that goes well takes three workflow tasks in all.
 *
 * Guarantees: at most one control `transfer` per run unless Vapi says the caller is still waiting (the API's
 * workflow id policy makes one run per tool call); once the transfer may be in Vapi's hands nothing is
 * undone; otherwise, if a step fails after others succeeded, their compensations run newest first and
 * cannot be cancelled, and the caller is told. A CRM outage and a failed summary never block the transfer.
 * Fails with {@link FailureType.TransferFailed}; ends cancelled when cancelled before the transfer was sent.
 */
export async function transferCall(request: TransferRequest): Promise<TransferResult> {
  const transfer = new TransferState(request, workflowInfo().workflowId);
  registerHandlers(transfer);
  const saga = new Compensations();
  try {
    const { decision, policy } = await routeAndReserve(transfer);
    const agentId = decision.agentId;
    if (agentId) saga.add('releaseAgent', () => releaseAgent(transfer, agentId, ''));
    transfer.stopIfCallEnded();
    await postSummary(transfer, decision, saga);

    if (request.mode === 'destination-request') {
      // Vapi executes this transfer itself: keep the reservation and the note until it says how it went.
      transfer.sent = 'yes';
      return await settle(transfer, await awaitOutcome(transfer));
    }

    transfer.stopIfCallEnded();
    const controlUrl = request.controlUrl;
    if (!controlUrl) throw ApplicationFailure.nonRetryable('the call has no controlUrl', FailureType.NoDestination);
    const delivery = await sendTransfer(transfer, `Transfer to ${target(decision)}`, {
      callId: request.callId,
      controlUrl,
      destination: decision.destination,
      content: announcement(decision),
    });
    let outcome = await awaitOutcome(transfer, { askVapiWhenSilent: delivery === 'accepted' });
    if (delivery === 'unknown' && outcome === 'transfer-initiated') outcome = 'unknown';
    // Only a caller Vapi says is still with the assistant can be put through elsewhere; an ended call cannot.
    if (outcome === 'not-connected' && transfer.reported === null) outcome = await followFallbackChain(transfer, policy, controlUrl);
    return await settle(transfer, outcome);
  } catch (error) {
    return await endOnFailure(transfer, saga, error);
  }
}
