import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CallbackCallTag, PlaceCallbackInput, PlacedCallback, SendingMarker } from '../contracts';
import { FailureType, SENDING_MARKER, mayHaveBeenSent } from '../contracts';
import { VapiApiError } from '../integrations/call-status';
import type { VapiCall, VapiCalls } from '../integrations/vapi-calls';
import { CREATE_TIMEOUT_MS } from '../integrations/vapi-calls';
import type { AttemptRecorder } from './call-control';

export interface CallbackActivityDeps {
  /** Vapi's calls; null when VAPI_API_KEY is unset. */
  vapiCalls: VapiCalls | null;
  /** VAPI_PHONE_NUMBER_ID: the number that calls back. */
  phoneNumberId: string | undefined;
  attempts: AttemptRecorder;
}

/** While a request waits, the activity tells the server it is alive this often (heartbeat timeout 5 s). */
const HEARTBEAT_EVERY_MS = 500;

/** Calls created this long before the decision are still looked at: the worker's and Vapi's clocks may differ. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * One activity that looks before it places, rather than a `findCallbackCall` the workflow runs before a
 * `placeCallback`: only the activity knows whether an earlier try of this very attempt may have written its
 * request — it is a retry, or the last heartbeat of the try before carries the "about to send" marker — and so
 * whether Vapi must be asked first. The workflow schedules one activity per attempt and never a second one
 * for the same attempt, and its history holds one step per call placed.
 */
export function createCallbackActivities(deps: CallbackActivityDeps) {
  return {
    /**
     * Places the call back (`POST /call`) tagged with the callback id and the attempt, once. A try that may follow
     * an earlier one first waits out that one's request timeout, then asks Vapi (`GET /call`) for a call with this
     * tag and returns it when there is one. Before writing, it records an acknowledged heartbeat saying it is about
     * to send. Failures: `CallbackRejected` (a 4xx, or no key or phone number: never retried), anything else
     * retryable (5xx, timeouts, no connection: the retry asks Vapi first).
     */
    async placeCallback(input: PlaceCallbackInput): Promise<PlacedCallback> {
      const { vapiCalls, phoneNumberId } = deps;
      if (!vapiCalls || !phoneNumberId) {
        throw ApplicationFailure.nonRetryable('this worker cannot place calls back: set VAPI_API_KEY and VAPI_PHONE_NUMBER_ID on every worker', FailureType.CallbackRejected);
      }
      const context = Context.current();
      const tag: CallbackCallTag = { switchboardCallbackId: input.callbackId, attempt: input.attempt };
      const before: unknown = context.info.heartbeatDetails;
      if (context.info.attempt > 1 || mayHaveBeenSent(before)) {
        // An earlier try may have written its POST: past its timeout, Vapi has either made the call or not.
        const sentAt = mayHaveBeenSent(before) ? Date.parse((before as SendingMarker).at) : Number.NaN;
        if (Number.isFinite(sentAt)) await waitUntil(sentAt + CREATE_TIMEOUT_MS, () => context.heartbeat(before));
        const found = await vapi(() => vapiCalls.findTagged(tag, { phoneNumberId, createdAfter: new Date(Date.parse(input.decidedAt) - CLOCK_SKEW_MS).toISOString() }));
        if (found) return placed(found, true);
      }
      const marker: SendingMarker = { [SENDING_MARKER]: true, at: new Date().toISOString() };
      await deps.attempts.record(context.info.taskToken, marker);
      const beating = setInterval(() => context.heartbeat(marker), HEARTBEAT_EVERY_MS);
      try {
        const call = await vapiCalls.create({
          ...(input.assistantId ? { assistantId: input.assistantId } : {}),
          phoneNumberId,
          customer: { number: input.customerNumber },
          assistantOverrides: { variableValues: input.variableValues, metadata: tag, monitorPlan: { controlEnabled: true } },
        });
        return placed(call, false);
      } catch (error) {
        // Vapi answered (a 5xx): the request is not in flight any more, so the retry need not wait it out.
        if (error instanceof VapiApiError && error.detail.status !== undefined) {
          clearInterval(beating);
          await deps.attempts.record(context.info.taskToken, { [SENDING_MARKER]: false, at: new Date().toISOString() }).catch(() => undefined);
        }
        throw typed(error);
      } finally {
        clearInterval(beating);
      }
    },
  };
}

function placed(call: VapiCall, found: boolean): PlacedCallback {
  return { callId: call.id, controlUrl: call.controlUrl, status: call.status, found };
}

async function vapi<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw typed(error);
  }
}

/** Vapi's failures typed by what they prove: a refusal is final, anything else may be tried again. */
function typed(error: unknown): unknown {
  if (!(error instanceof VapiApiError)) return error;
  const details = { operation: error.operation, outcome: error.outcome, ...error.detail };
  if (error.outcome === 'rejected') return ApplicationFailure.nonRetryable(error.message, FailureType.CallbackRejected, details);
  return ApplicationFailure.retryable(error.message, FailureType.VapiApiUnavailable, details);
}

async function waitUntil(time: number, heartbeat: () => void): Promise<void> {
  while (Date.now() < time) {
    heartbeat();
    await sleep(Math.min(HEARTBEAT_EVERY_MS, time - Date.now()));
  }
}
