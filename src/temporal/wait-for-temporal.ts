import { backOff } from 'exponential-backoff';
import type { Logger } from '../observability/logger';
import type { TemporalTarget } from './connection';
import { TemporalUnreachableError, connectionErrorReason, describeTarget } from './connection';

export interface WaitForTemporalOptions {
  logger: Logger;
  /** TEMPORAL_CONNECT_DEADLINE_SECONDS: give up after this long; 0 waits as long as it takes. */
  deadlineSeconds: number;
  /** Aborted when the process is asked to stop while it is still waiting. */
  signal?: AbortSignal;
  /** First pause between tries; it doubles up to `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** Capped so a server that comes back is found within a few seconds, without hammering one that stays down. */
export const CONNECT_BACKOFF = { firstDelayMs: 250, maxDelayMs: 5_000 } as const;

/** Wraps a failure that waiting cannot fix (a workflow bundle that does not build): it ends the wait at once. */
export class NotAnOutageError extends Error {
  override readonly name = 'NotAnOutageError';
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
  }
}

/** Thrown when the wait was abandoned because the process is shutting down. */
export class ConnectAbortedError extends Error {
  override readonly name = 'ConnectAbortedError';
}

/**
 * Runs `attempt` (a connect, a first call) until it succeeds: a worker or API started before Temporal, or
 * during an outage, comes up once the server does — start order is not guaranteed under compose, systemd or
 * Kubernetes. Every failed try is logged with the address and the variable that sets it; success is logged
 * once. Only an explicit deadline (TEMPORAL_CONNECT_DEADLINE_SECONDS) turns waiting into an error.
 */
export async function waitForTemporal<T>(target: TemporalTarget, attempt: () => Promise<T>, options: WaitForTemporalOptions): Promise<T> {
  const { logger } = options;
  const firstDelayMs = options.firstDelayMs ?? CONNECT_BACKOFF.firstDelayMs;
  const maxDelayMs = options.maxDelayMs ?? CONNECT_BACKOFF.maxDelayMs;
  const startedAt = Date.now();
  const deadline = options.deadlineSeconds > 0 ? startedAt + options.deadlineSeconds * 1000 : Number.POSITIVE_INFINITY;
  const where = describeTarget(target);
  let attempts = 0;
  let lastReason = '';
  try {
    const result = await backOff(
      async () => {
        if (options.signal?.aborted) throw new ConnectAbortedError('stopped while waiting for Temporal');
        attempts += 1;
        return attempt();
      },
      {
        numOfAttempts: Number.MAX_SAFE_INTEGER,
        startingDelay: firstDelayMs,
        timeMultiple: 2,
        maxDelay: maxDelayMs,
        jitter: 'none',
        delayFirstAttempt: false,
        retry: (error: unknown, attemptNumber: number) => {
          if (error instanceof ConnectAbortedError || error instanceof NotAnOutageError || options.signal?.aborted) return false;
          lastReason = connectionErrorReason(error instanceof TemporalUnreachableError ? (error.cause ?? error) : error);
          const retryInMs = Math.min(firstDelayMs * 2 ** (attemptNumber - 1), maxDelayMs);
          if (Date.now() + retryInMs > deadline) return false;
          logger.warn(
            { address: target.address, setBy: target.addressSetBy, namespace: target.namespace, attempt: attemptNumber, retryInMs, reason: lastReason },
            `${where} is not reachable yet; trying again`,
          );
          return true;
        },
      },
    );
    logger.info({ address: target.address, namespace: target.namespace, attempts, waitedMs: Date.now() - startedAt }, `connected to ${where}`);
    return result;
  } catch (error) {
    if (error instanceof NotAnOutageError) throw error.original;
    if (error instanceof ConnectAbortedError || options.signal?.aborted) throw new ConnectAbortedError('stopped while waiting for Temporal');
    if (deadline === Number.POSITIVE_INFINITY) throw error;
    throw new TemporalUnreachableError(
      `gave up connecting to ${where} after ${attempts} tries in ${((Date.now() - startedAt) / 1000).toFixed(0)} s ` +
        `(TEMPORAL_CONNECT_DEADLINE_SECONDS=${options.deadlineSeconds}; 0 waits forever): ${lastReason}`,
    );
  }
}
