import { ActivityFailure, CancellationScope, TimeoutFailure, condition, isCancellation, log, sleep } from '@temporalio/workflow';
import type { Activities } from '../../../contracts';
import { FailureType } from '../../../contracts';
import { callControl, vapiApi } from './activities';
import { failureType } from './describe';
import type { TransferState } from './state';

/** Attempts of a transfer Vapi answered 5xx or never received (250 ms, doubling, at most 2 s apart). */
export const TRANSFER_ATTEMPTS = 8;

/**
 * POSTs the control `transfer`, one activity per attempt, and says whether Vapi took it: `accepted`, or
 * `unknown` when an attempt went out and its answer never came back. Attempts Vapi refused to take (5xx,
 * undelivered) are retried with backoff. An attempt of unknown fate (a lost answer, or a worker that died
 * mid-POST) is never repeated blindly: it is sent once more only when Vapi reported nothing and its API says
 * the caller is still with the assistant. A refusal (4xx) or running out of attempts throws.
 *
 * A cancel cannot abandon a POST half-way: each attempt runs to its end.
 */
export async function sendTransfer(transfer: TransferState, summary: string, command: Parameters<Activities['executeTransfer']>[0]): Promise<'accepted' | 'unknown'> {
  transfer.status.stage = 'transferring';
  let resentAfterDoubt = false;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await CancellationScope.nonCancellable(() =>
        transfer.step('executeTransfer', () =>
          callControl.executeTransfer.executeWithOptions({ summary: attempt > 1 ? `${summary} (attempt ${attempt})` : summary }, [command]),
        ),
      );
      transfer.sent = 'yes';
      transfer.transferAccepted();
      return 'accepted';
    } catch (error) {
      if (isCancellation(error)) throw error;
      if (failureType(error) === FailureType.ControlUrlUnavailable && attempt < TRANSFER_ATTEMPTS) {
        await sleep(Math.min(250 * 2 ** (attempt - 1), 2_000), { summary: `Back off before transfer attempt ${attempt + 1}` });
        // Nothing reached Vapi yet: a caller who hung up meanwhile is not sent anywhere.
        transfer.stopIfCallEnded();
        continue;
      }
      const timedOut = error instanceof ActivityFailure && error.cause instanceof TimeoutFailure;
      if (failureType(error) !== FailureType.TransferOutcomeUnknown && !timedOut) throw error;
      // From here on a cancel must not compensate: the transfer may be with Vapi already.
      transfer.sent = 'maybe';
      if (resentAfterDoubt || !(await callerStillWaiting(transfer))) {
        log.warn('transfer attempt of unknown fate; not sending it again');
        return 'unknown';
      }
      resentAfterDoubt = true;
      log.warn('transfer attempt of unknown fate; Vapi says the caller is still waiting and reported nothing: sending once more');
    }
  }
}

/** After an attempt of unknown fate: true only when Vapi reported nothing and its API says the call is still in progress. */
async function callerStillWaiting(transfer: TransferState): Promise<boolean> {
  const reportedMeanwhile = await condition(() => transfer.reported !== null, transfer.request.fallbackCheckSeconds * 1000, {
    summary: 'Wait for Vapi to report the call before asking where it stands',
  });
  if (reportedMeanwhile) return false;
  return (await callState(transfer, 'Ask Vapi whether the transfer reached the call')) === 'in-progress' && transfer.reported === null;
}

/** Vapi's current status of the call, or null when it cannot be asked. */
export async function callState(transfer: TransferState, summary: string): Promise<string | null> {
  const { status } = await transfer.step(
    'checkCallState',
    () => vapiApi.checkCallState.executeWithOptions({ summary }, [{ callId: transfer.request.callId }]),
    () => ({ status: null }),
  );
  return status;
}

