import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../contracts';

/**
 * The activities of a transfer, grouped by how they may run. Everything before the control POST that is
 * short and safe to repeat is a local activity: it runs inside the workflow task, costs no round trip to
 * the server, and is recorded as a marker when the task completes. If the worker dies before that, the task
 * runs again on another worker and so do they, which is why each is a read or keyed by the transfer id.
 *
 * One attempt each for local activities: retries of transient failures live where the failure is known (the
 * CRM adapters retry within their budget, the Temporal client retries UNAVAILABLE), and SDK 1.24's in-process
 * local activity retries re-arm their scheduleToClose timer on every attempt.
 */

/** The routing file's rules and the caller's tone: in-process reads. */
export const reads = proxyLocalActivities<Activities>({ startToCloseTimeout: '2s', retry: { maximumAttempts: 1 } });

/** The CRM: a total budget of 3 s, after which routing goes on with an anonymous caller. */
export const crm = proxyLocalActivities<Activities>({ startToCloseTimeout: '3s', retry: { maximumAttempts: 1 } });

/** Rules 8-11 and the reservation, in one update of the floor. */
export const floor = proxyLocalActivities<Activities>({ startToCloseTimeout: '5s', retry: { maximumAttempts: 1 } });

/**
 * The control POST: a regular activity, one attempt per activity, so the workflow decides about every further
 * attempt (see delivery.ts). It heartbeats: a worker that dies mid-POST is known within 2 s, and the attempt's
 * last heartbeat says whether it may have been sent. Schedule-to-close bounds the time to know, whatever
 * happens to the worker. Eager dispatch hands it straight back to this worker.
 */
export const callControl = proxyActivities<Activities>({
  startToCloseTimeout: '5s',
  scheduleToCloseTimeout: '6s',
  heartbeatTimeout: '2s',
  retry: { maximumAttempts: 1 },
});

/** Vapi's API, asked where a call stands: off the happy path, retried briefly. */
export const vapiApi = proxyActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '2s', maximumAttempts: 3 },
});

/**
 * After the POST, and undo steps: the floor's notices (release, connected), the note's status, a word to the
 * caller. Retried until they succeed or clearly cannot; each is idempotent.
 */
export const afterwards = proxyActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 10 },
});
