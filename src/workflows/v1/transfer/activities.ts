import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../../contracts';

/**
 * The activities of a transfer, grouped by how they may run. Everything before the control POST that is
 * short and safe to repeat is a local activity: it runs inside the workflow task, costs no round trip to
 * the server, and is recorded as a marker when the task completes. If the worker dies before that, the task
 * runs again on another worker and so do they, which is why each is a read or keyed by the transfer id.
 */

// One attempt each, bounded by startToClose: retries of transient failures live where the failure is known
// (the CRM adapters retry 5xx and timeouts within their budget, the Temporal client retries UNAVAILABLE and
// RESOURCE_EXHAUSTED). SDK 1.24's in-process local activity retries re-arm the scheduleToClose timer on
// every attempt (so it never ends them) and can panic a worker that shuts down while one is backing off.

/** Routing file, tone, agents' live state: in-process reads. */
export const reads = proxyLocalActivities<Activities>({
  startToCloseTimeout: '2s',
  retry: { maximumAttempts: 1 },
});

/** The CRM: a total budget of 3 s, after which routing goes on with an anonymous caller. */
export const crm = proxyLocalActivities<Activities>({
  startToCloseTimeout: '3s',
  retry: { maximumAttempts: 1 },
});

/** Reservation and release: updates on agents' workflows, idempotent per transfer. */
export const reservations = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { maximumAttempts: 1 },
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
