import { log } from '@temporalio/workflow';
import { afterwards } from './activities';
import { describeFailure } from './describe';
import type { TransferState } from './state';

/**
 * Tells the assistant something to act on in its own words (a control `add-message`, role system); true when
 * it was told. Never throws: a caller who waits is better served by a wait the assistant was not told of than
 * by a transfer that fails.
 */
export async function tellAssistant(transfer: TransferState, content: string, summary: string): Promise<boolean> {
  const { callId, controlUrl } = transfer.request;
  if (!controlUrl) return false;
  try {
    await transfer.step('tellAssistant', () => afterwards.tellAssistant.executeWithOptions({ summary, retry: { maximumAttempts: 3 } }, [{ callId, controlUrl, content }]));
    return true;
  } catch (error) {
    log.warn('could not tell the assistant', { error: describeFailure(error) });
    return false;
  }
}

/** Tells the caller something through a `say` command; true when it was said. Never throws. */
export async function tellCaller(transfer: TransferState, content: string, summary: string): Promise<boolean> {
  const { callId, controlUrl } = transfer.request;
  if (!controlUrl) return false;
  try {
    await transfer.step('sayToCaller', () => afterwards.sayToCaller.executeWithOptions({ summary, retry: { maximumAttempts: 3 } }, [{ callId, controlUrl, content }]));
    return true;
  } catch (error) {
    log.warn('could not tell the caller', { error: describeFailure(error) });
    return false;
  }
}
