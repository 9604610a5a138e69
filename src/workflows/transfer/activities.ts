import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

/**
 * The activities of a transfer, grouped by how they may run. Everything before the control POST that is
 * short and safe to repeat is a local activity: it runs inside the workflow task, costs no round trip to
 * the server, and is recorded as a marker when the task completes. If the worker dies before that, the task
 * runs again on another worker and so do they, which is why each is a read or keyed by the transfer id.
 */

// Local activity budgets are bounded by attempts × startToClose + backoff: SDK 1.24 re-arms a local
// activity's scheduleToClose timer on every in-process retry, so that timeout alone would never end them.

/** Routing file, tone, agents' live state: in-process reads (at most ~3 s). */
export const reads = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1s',
  retry: { initialInterval: '100ms', backoffCoefficient: 2, maximumInterval: '500ms', maximumAttempts: 3 },
});

/** The CRM: a total budget of about 5 s, after which routing goes on with an anonymous caller. */
export const crm = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1500ms',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '500ms', maximumAttempts: 3 },
});

/** Reservation and release: updates on agents' workflows, idempotent per transfer (at most ~10 s). */
export const reservations = proxyLocalActivities<Activities>({
  startToCloseTimeout: '3s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '1s', maximumAttempts: 3 },
});

/**
 * The control POST: a regular activity with exactly one attempt per activity. A local activity's result is
 * recorded only when its workflow task completes, so a re-run after a crash would POST twice; and a
 * server-side retry after a timed-out attempt could send the transfer again blindly. The workflow decides
 * about every further attempt (see attempts.ts). Eager dispatch hands it straight back to this worker.
 */
export const callControl = proxyActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { maximumAttempts: 1 },
});

/** Vapi's API, asked where a call stands: off the happy path, retried briefly. */
export const vapiApi = proxyActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '2s', maximumAttempts: 3 },
});

/** Undo steps on the failure path: retried until they succeed or clearly cannot. */
export const compensations = proxyActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 10 },
});
