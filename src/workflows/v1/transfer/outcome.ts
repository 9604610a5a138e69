import { CancellationScope, allHandlersFinished, condition } from '@temporalio/workflow';
import type { TransferOutcome, TransferResult } from '../../../contracts';
import { callState } from './attempts';
import { releaseAgent } from './routing';
import type { TransferState } from './state';

/**
 * After the transfer: waits, bounded, for Vapi's word on it and turns that into the outcome. With
 * `askVapiWhenSilent`, a transfer that stays silent for the fallback check is looked into: Vapi reports
 * failed warm transfers itself, but a silent one may mean the caller is back with the assistant, so Vapi's
 * API is asked (not guessed) and `not-connected` is returned only when it says the call is still in progress.
 */
export async function awaitOutcome(transfer: TransferState, options: { askVapiWhenSilent?: boolean } = {}): Promise<TransferOutcome> {
  transfer.status.stage = 'awaiting-outcome';
  const { request } = transfer;
  const timeoutMs = request.outcomeTimeoutSeconds * 1000;
  const heard = () => transfer.reported !== null;
  if (options.askVapiWhenSilent && !heard()) {
    const checkMs = Math.min(timeoutMs, request.fallbackCheckSeconds * 1000);
    if (!(await condition(heard, checkMs, { summary: 'Wait for Vapi to report the transfer' }))) {
      if ((await callState(transfer, 'Ask Vapi whether the caller is still with the assistant')) === 'in-progress' && !heard()) return 'not-connected';
    }
  }
  if (!heard()) await condition(heard, timeoutMs, { summary: 'Wait for Vapi to report the outcome' });
  switch (transfer.reported?.kind) {
    case undefined:
    case 'call-ended':
      return 'transfer-initiated';
    case 'transferred':
      return 'transferred';
    case 'not-connected':
      return 'not-connected';
    case 'caller-hung-up':
      return 'caller-hung-up';
  }
}

/**
 * Records the outcome and ends the run. The agent is released once the outcome is known; when it is not
 * (initiated, unknown), the reservation is kept until its TTL, since the caller may be with that agent.
 */
export async function settle(transfer: TransferState, outcome: TransferOutcome): Promise<TransferResult> {
  const agentId = transfer.decision?.agentId;
  const known = outcome === 'transferred' || outcome === 'not-connected' || outcome === 'caller-hung-up';
  if (agentId && known) await CancellationScope.nonCancellable(() => releaseAgent(transfer, agentId, `: call ${outcome}`));
  transfer.finish(outcome === 'not-connected' ? 'failed' : 'completed', outcome);
  await condition(allHandlersFinished);
  return { outcome, decision: transfer.decision };
}
