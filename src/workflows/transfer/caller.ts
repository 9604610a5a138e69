import { log } from '@temporalio/workflow';
import { afterwards } from './activities';
import { describeFailure } from './describe';
import type { TransferState } from './state';

/** Tells the caller something through a `say` command; true when it was said. Never throws. */
export function tellCaller(transfer: TransferState, content: string, summary: string): Promise<boolean> {
  return tell(transfer, 'sayToCaller', content, summary);
}

/**
 * Tells the assistant something to act on in its own words (a control `add-message`, role system); true when
 * it was told. Never throws: a caller who waits is better served by a wait the assistant was not told of than
 * by a transfer that fails.
 */
export function tellAssistant(transfer: TransferState, content: string, summary: string): Promise<boolean> {
  return tell(transfer, 'tellAssistant', content, summary);
}

async function tell(transfer: TransferState, step: 'sayToCaller' | 'tellAssistant', content: string, summary: string): Promise<boolean> {
  const { callId, controlUrl } = transfer.request;
  if (!controlUrl) return false;
  try {
    await transfer.step(step, () => afterwards[step].executeWithOptions({ summary, retry: { maximumAttempts: 3 } }, [{ callId, controlUrl, content }]));
    return true;
  } catch (error) {
    log.warn(step === 'sayToCaller' ? 'could not tell the caller' : 'could not tell the assistant', { error: describeFailure(error) });
    return false;
  }
}
