import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { CallEvent, LineNotice } from '../../contracts';
import { FailureType, callEventSignal, decideDestinationUpdate, destinationAbandonedSignal, lineNoticeSignal, transferStatusQuery } from '../../contracts';
import { registerCallbackHandler } from './callback';
import { announcement } from './describe';
import type { TransferState } from './state';

/**
 * What a transfer answers from outside: its status, what Vapi reports about the call, and (for a
 * transfer-destination-request) the destination as soon as routing has decided, or that the API gave up.
 */
export function registerHandlers(transfer: TransferState): void {
  setHandler(transferStatusQuery, () => transfer.status);
  registerCallbackHandler(transfer);

  setHandler(callEventSignal, (event: CallEvent) => transfer.hear(event));

  // The floor's word to a waiting caller; one that no longer waits ignores it (the floor hears of its leaving).
  setHandler(lineNoticeSignal, (notice: LineNotice) => {
    if (transfer.waiting) transfer.lineNotices.push(notice);
  });

  setHandler(destinationAbandonedSignal, () => {
    transfer.abandoned = true;
  });

  setHandler(decideDestinationUpdate, async () => {
    await condition(() => transfer.decision !== null || transfer.status.failure !== null || transfer.abandoned);
    const decided = transfer.decision;
    if (transfer.abandoned) throw ApplicationFailure.nonRetryable('decided too late: Vapi was told there is no destination', FailureType.NoDestination);
    if (!decided || transfer.status.failure) {
      throw ApplicationFailure.nonRetryable(transfer.status.failure?.message ?? 'no destination', FailureType.NoDestination);
    }
    return { destination: decided.destination, announcement: announcement(decided) };
  });
}
