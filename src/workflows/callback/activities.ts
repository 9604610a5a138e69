import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../contracts';
import { FailureType } from '../../contracts';

/**
 * The call back itself: one activity per attempt, which looks before it places (see `placeCallback`). Its retries
 * are the "retried within the policy" of a 5xx or a timeout, each asking Vapi first; a refusal is never retried.
 * A lost worker is known within the heartbeat timeout, and the retry waits out the lost try's request timeout
 * before it asks.
 */
export const placing = proxyActivities<Activities>({
  startToCloseTimeout: '40s',
  heartbeatTimeout: '5s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.CallbackRejected] },
});
