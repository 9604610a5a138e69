import { ApplicationFailure, CancellationScope, allHandlersFinished, condition, log, isCancellation, setCurrentDetails } from '@temporalio/workflow';
import type { TransferResult } from '../../../contracts';
import { FailureType } from '../../../contracts';
import type { Compensations } from '../../saga';
import { compensations } from './activities';
import { SORRY_MESSAGE, describeFailure, failureType, lastFailedStep } from './describe';
import type { TransferState } from './state';

const UNDONE: Record<string, string> = {
  releaseAgent: 'agent released',
  markSummaryNotTransferred: 'summary marked not transferred',
};

/**
 * The failure path. A transfer already in Vapi's hands is kept whatever happens (a cancel only ends the
 * wait). Otherwise the compensations run newest first and cannot be cancelled, the caller hears an apology
 * (unless they hung up, the transfer was cancelled, or Vapi asked for a destination and speaks our error
 * itself), the Web UI's current details say where and why it failed, and the run ends: completed for a
 * caller who hung up, cancelled, or failed with {@link FailureType.TransferFailed}.
 */
export async function endOnFailure(transfer: TransferState, saga: Compensations, error: unknown): Promise<TransferResult> {
  const cancelled = isCancellation(error);
  if (cancelled && transfer.sent !== 'no') {
    log.info('cancelled while waiting for the outcome of a transfer already sent; keeping it');
    const outcome = transfer.sent === 'maybe' ? 'unknown' : 'transfer-initiated';
    transfer.finish('completed', outcome);
    await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    return { outcome, decision: transfer.decision };
  }
  const callerGone = failureType(error) === FailureType.CallEnded;
  const failedAt = lastFailedStep(transfer.status) ?? transfer.status.stage;
  transfer.status.stage = 'compensating';
  transfer.status.failure = { type: failureType(error) ?? (cancelled ? 'Cancelled' : 'Error'), message: describeFailure(error) };
  const undone: string[] = [];
  let told = false;
  await CancellationScope.nonCancellable(async () => {
    await saga.run((compensation) => {
      undone.push(UNDONE[compensation] ?? compensation);
      transfer.compensated(compensation);
    });
    if (!cancelled && !callerGone && transfer.request.mode === 'control-url') told = await tellCaller(transfer, SORRY_MESSAGE);
  });
  const aftermath = [...undone, ...(told ? ['caller told'] : [])];
  const why = callerGone ? 'Caller hung up before the transfer' : cancelled ? 'Transfer cancelled before it was sent' : `Transfer failed at ${failedAt}: ${transfer.status.failure.message}`;
  setCurrentDetails(`${why}${aftermath.length > 0 ? ` (${aftermath.join(', ')})` : ''}`);

  if (callerGone) {
    transfer.finish('completed', 'caller-hung-up');
    await condition(allHandlersFinished);
    return { outcome: 'caller-hung-up', decision: transfer.decision };
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

/** Tells the caller something through a `say` command; true when it was said. */
export async function tellCaller(transfer: TransferState, content: string): Promise<boolean> {
  const { callId, controlUrl } = transfer.request;
  if (!controlUrl) return false;
  try {
    await transfer.step('sayToCaller', () =>
      compensations.sayToCaller.executeWithOptions({ summary: 'Tell the caller the transfer did not happen', retry: { maximumAttempts: 3 } }, [
        { callId, controlUrl, content },
      ]),
    );
    return true;
  } catch (error) {
    log.warn('could not tell the caller', { error: describeFailure(error) });
    return false;
  }
}
