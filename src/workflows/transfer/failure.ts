import { ApplicationFailure, CancellationScope, allHandlersFinished, condition, isCancellation, log, setCurrentDetails } from '@temporalio/workflow';
import type { TransferOutcome, TransferResult } from '../../contracts';
import { FailureType } from '../../contracts';
import type { Compensations } from '../saga';
import { tellCaller } from './caller';
import { SORRY_MESSAGE, describeFailure, failureType, lastFailedStep } from './describe';
import { settle } from './outcome';
import type { TransferState } from './state';
import { UNDONE } from './undo';

/**
 * The failure path, which keeps the one rule of delivery: undo only while nothing can have reached Vapi.
 *
 * Once a transfer may be with Vapi (a POST taken, or of unknown fate), nothing is undone whatever failed or
 * whoever cancelled: no compensation, no apology; the run ends with what Vapi reported, `transfer-initiated`
 * for a cancel after Vapi took it, or `unknown`, and the note says so. Otherwise the compensations run newest
 * first and cannot be cancelled, the caller hears an apology (unless they hung up, the transfer was
 * cancelled, or Vapi asked for a destination and speaks our error itself), the Web UI's current details say
 * where and why it failed, and the run ends: completed for a caller who hung up, cancelled, or failed with
 * {@link FailureType.TransferFailed}.
 */
export async function endOnFailure(transfer: TransferState, saga: Compensations, error: unknown): Promise<TransferResult> {
  const cancelled = isCancellation(error);
  if (transfer.sent !== 'no') return keepWhatWasSent(transfer, error, cancelled);

  const callerGone = failureType(error) === FailureType.CallEnded;
  const failedAt = lastFailedStep(transfer.status) ?? transfer.status.stage;
  transfer.status.stage = 'compensating';
  transfer.status.failure = { type: failureType(error) ?? (cancelled ? 'Cancelled' : 'Error'), message: describeFailure(error) };
  const undone: string[] = [];
  let told = false;
  await CancellationScope.nonCancellable(async () => {
    await saga.run((compensation) => {
      undone.push(UNDONE[compensation as keyof typeof UNDONE] ?? compensation);
      transfer.compensated(compensation);
    });
    if (!cancelled && !callerGone && transfer.request.mode === 'control-url') told = await tellCaller(transfer, SORRY_MESSAGE, 'Tell the caller the transfer did not happen');
  });
  const aftermath = [...undone, ...(told ? ['caller told'] : [])];
  const why = transfer.leftLine === 'abandoned' ? 'Caller hung up while waiting in line' : callerGone ? 'Caller hung up before the transfer' : cancelled ? 'Transfer cancelled before it was sent' : `Transfer failed at ${failedAt}: ${transfer.status.failure.message}`;
  setCurrentDetails(`${why}${aftermath.length > 0 ? ` (${aftermath.join(', ')})` : ''}`);

  if (callerGone) {
    const outcome = transfer.leftLine === 'abandoned' ? 'abandoned' : 'caller-hung-up';
    transfer.finish('completed', outcome);
    await condition(allHandlersFinished);
    return { outcome, decision: transfer.decision };
  }
  if (cancelled) {
    transfer.finish('cancelled', 'cancelled');
    throw error;
  }
  transfer.finish('failed', 'failed');
  // A pending decideDestination update must get its answer (the failure) before the run closes.
  await condition(allHandlersFinished);
  throw ApplicationFailure.create({
    type: FailureType.TransferFailed,
    message: `transfer failed at ${failedAt}: ${transfer.status.failure.message}`,
    nonRetryable: true,
    cause: error instanceof Error ? error : undefined,
  });
}

/** A transfer that may be with Vapi ends as Vapi reported it, or `unknown`; the agent it may have reached stays held. */
async function keepWhatWasSent(transfer: TransferState, error: unknown, cancelled: boolean): Promise<TransferResult> {
  // A caller who hung up while back in line after an agent did not pick up: they waited, and left.
  const outcome: TransferOutcome =
    transfer.leftLine === 'abandoned' ? 'abandoned' : (transfer.reportedOutcome ?? (cancelled && transfer.sent === 'yes' ? 'transfer-initiated' : 'unknown'));
  log.warn('the transfer may already be with Vapi: nothing is undone', { cancelled, outcome, error: cancelled ? undefined : describeFailure(error) });
  setCurrentDetails(`${cancelled ? 'Cancelled' : `Stopped (${describeFailure(error)})`} after the transfer may have reached Vapi: nothing undone, outcome ${outcome}`);
  return settle(transfer, outcome);
}
