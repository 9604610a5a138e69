import { setTimeout as sleep } from 'node:timers/promises';
import { CrmError } from './crm';

/**
 * The whole time one CRM operation may take, retries included. The transfer workflow calls the CRM from
 * local activities with a budget of 3 s: an adapter that kept retrying past it would only be abandoned
 * mid-call, so it gives up a little before, with its own reason, and lets the workflow decide (route
 * anonymously, transfer without the note).
 */
export const CRM_CALL_BUDGET_MS = 2_500;
export const CRM_MAX_ATTEMPTS = 3;
/** Between attempts: short, because the caller is on the line. */
const BACKOFF_MS = [100, 300];

export interface BoundedRetryOptions {
  /** What is being done, for error messages: "GET /customers", "notes search". Never personal data. */
  operation: string;
  /** Per attempt. */
  timeoutMs: number;
  budgetMs?: number;
  maxAttempts?: number;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the budget is spent. Only {@link CrmError}s marked
 * retryable (5xx, timeouts, connections that failed) are tried again; a `Retry-After` longer than the budget
 * left ends the operation at once instead of waiting. Each attempt gets an AbortSignal that fires at its
 * timeout; an attempt that ignores it is abandoned all the same.
 */
export async function withBoundedRetries<T>(attempt: (signal: AbortSignal) => Promise<T>, options: BoundedRetryOptions): Promise<T> {
  const budgetMs = options.budgetMs ?? CRM_CALL_BUDGET_MS;
  const maxAttempts = options.maxAttempts ?? CRM_MAX_ATTEMPTS;
  const deadline = Date.now() + budgetMs;
  for (let number = 1; ; number++) {
    const timeoutMs = Math.max(1, Math.min(options.timeoutMs, deadline - Date.now()));
    try {
      return await attemptWithin(attempt, timeoutMs, options.operation);
    } catch (error) {
      const failure = error instanceof CrmError ? error : new CrmError(`${options.operation} failed`, false);
      const waitMs = failure.retryAfterMs ?? BACKOFF_MS[Math.min(number - 1, BACKOFF_MS.length - 1)]!;
      // Worth another attempt only if it can still get a reasonable share of its timeout within the budget.
      const roomLeft = deadline - Date.now() - waitMs >= Math.min(options.timeoutMs, 250);
      if (!failure.retryable || number >= maxAttempts || !roomLeft) throw failure;
      await sleep(waitMs);
    }
  }
}

async function attemptWithin<T>(attempt: (signal: AbortSignal) => Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new CrmError(`${operation} timed out after ${timeoutMs} ms`, true));
    }, timeoutMs);
  });
  try {
    return await Promise.race([attempt(controller.signal), timedOut]);
  } catch (error) {
    // An aborted fetch rejects with its own AbortError; report it as the timeout it is.
    if (controller.signal.aborted) throw new CrmError(`${operation} timed out after ${timeoutMs} ms`, true);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
