import type { LoadedDataConverter } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  decodeArrayFromPayloads,
  decodeFromPayloadsAtIndex,
  decodeMapFromPayloads,
  decodeOptionalFailureToOptionalError,
  decodeUserMetadata,
} from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import type { TransferRequest, TransferResult } from '../contracts';
import { mayHaveBeenSent } from '../contracts';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The name core gives the markers that record local activity results. */
export const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/**
 * One step of a transfer as the history tells it: what it was for, how long it took, how it ended. A step is
 * an activity (scheduled, started and closed events) or a local activity (one marker, written when the
 * workflow task that ran it completed).
 */
export interface StepTiming {
  activity: string;
  kind: 'activity' | 'local';
  summary: string | null;
  status: 'scheduled' | 'running' | 'completed' | 'failed' | 'timed-out' | 'cancelled';
  attempts: number;
  /** Activities: when scheduled. Local activities: when the workflow task that ran them started. */
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /**
   * Activities: from scheduled to finished (queueing, retries and the work itself). Local activities: from
   * the start of their workflow task to their completion, so it includes any step they waited for.
   */
  durationMs: number | null;
  error: string | null;
  /** The failure's type (`ApplicationFailure.type`, never encrypted), when the step failed with one. */
  failureType: string | null;
  /** A timed-out attempt: whether its last heartbeat said it was sending (null: no heartbeat, or unreadable). */
  wasSending: boolean | null;
}

/** What a local activity returned (or how it failed), decoded: the routing inputs a transfer saw. */
export interface LocalResult {
  activity: string;
  result: unknown;
  failed: boolean;
}

export interface TransferHistory {
  request: TransferRequest | null;
  steps: StepTiming[];
  /** Local activity results in the order they completed. */
  localResults: LocalResult[];
  /** When the first workflow task started. */
  firstTaskStartedAt: string | null;
  /** The memo as the workflow last upserted it (the routed decision, a fallback's decision). */
  memo: Record<string, unknown>;
  /** Call events and updates in arrival order, without their payloads. */
  signals: { at: string; name: string; kind: string | null }[];
  result: TransferResult | null;
  failure: string | null;
  closedAs: 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed-out' | 'continued-as-new' | null;
}

function at(event: HistoryEvent): string {
  const time = event.eventTime;
  if (!time) return new Date(0).toISOString();
  const seconds = Number(time.seconds ?? 0);
  return new Date(seconds * 1000 + Math.floor((time.nanos ?? 0) / 1e6)).toISOString();
}

function eventId(event: HistoryEvent): string {
  return String(event.eventId ?? '');
}

/**
 * Reads a transfer's history back into its story, decoding payloads with the service's data converter (so
 * encrypted histories read the same as plain ones to whoever holds the keys).
 */
export async function readTransferHistory(converter: LoadedDataConverter, events: readonly HistoryEvent[]): Promise<TransferHistory> {
  const steps = new Map<string, StepTiming>();
  const history: TransferHistory = { request: null, steps: [], localResults: [], firstTaskStartedAt: null, memo: {}, signals: [], result: null, failure: null, closedAs: null };
  let taskStartedAt: string | null = null;
  const stepOf = (scheduledEventId: unknown) => steps.get(String(scheduledEventId ?? ''));
  const finish = (step: StepTiming | undefined, event: HistoryEvent, status: StepTiming['status'], error: string | null = null, failureType: string | null = null) => {
    if (!step) return;
    step.status = status;
    step.finishedAt = at(event);
    step.durationMs = Date.parse(step.finishedAt) - Date.parse(step.scheduledAt);
    step.error = error;
    step.failureType = failureType;
  };

  for (const event of events) {
    if (event.workflowExecutionStartedEventAttributes) {
      history.request = await decodeFromPayloadsAtIndex<TransferRequest>(converter, 0, event.workflowExecutionStartedEventAttributes.input?.payloads).catch(() => null);
    } else if (event.activityTaskScheduledEventAttributes) {
      const metadata = await decodeUserMetadata(converter, event.userMetadata).catch(() => ({ staticSummary: undefined }));
      steps.set(eventId(event), {
        activity: event.activityTaskScheduledEventAttributes.activityType?.name ?? 'unknown',
        kind: 'activity',
        summary: metadata.staticSummary ?? null,
        status: 'scheduled',
        attempts: 0,
        scheduledAt: at(event),
        startedAt: null,
        finishedAt: null,
        durationMs: null,
        error: null,
        failureType: null,
        wasSending: null,
      });
    } else if (event.workflowTaskStartedEventAttributes) {
      taskStartedAt = at(event);
      history.firstTaskStartedAt ??= taskStartedAt;
    } else if (event.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) {
      const marker = await readLocalActivityMarker(converter, event);
      if (!marker) continue;
      const scheduledAt = taskStartedAt ?? marker.completedAt;
      steps.set(eventId(event), {
        activity: marker.activity,
        kind: 'local',
        summary: marker.summary,
        status: marker.error === null ? 'completed' : 'failed',
        attempts: marker.attempt,
        scheduledAt,
        startedAt: scheduledAt,
        finishedAt: marker.completedAt,
        durationMs: Math.max(0, Date.parse(marker.completedAt) - Date.parse(scheduledAt)),
        error: marker.error,
        failureType: null,
        wasSending: null,
      });
      history.localResults.push({ activity: marker.activity, result: marker.result, failed: marker.error !== null });
    } else if (event.workflowPropertiesModifiedEventAttributes) {
      const fields = event.workflowPropertiesModifiedEventAttributes.upsertedMemo?.fields;
      Object.assign(history.memo, await decodeMapFromPayloads(converter, fields ?? {}).catch(() => ({})));
    } else if (event.activityTaskStartedEventAttributes) {
      const step = stepOf(event.activityTaskStartedEventAttributes.scheduledEventId);
      if (step) {
        step.status = 'running';
        step.startedAt = at(event);
        step.attempts = event.activityTaskStartedEventAttributes.attempt ?? 1;
      }
    } else if (event.activityTaskCompletedEventAttributes) {
      finish(stepOf(event.activityTaskCompletedEventAttributes.scheduledEventId), event, 'completed');
    } else if (event.activityTaskFailedEventAttributes) {
      const attributes = event.activityTaskFailedEventAttributes;
      finish(stepOf(attributes.scheduledEventId), event, 'failed', await failureMessage(converter, attributes.failure), attributes.failure?.applicationFailureInfo?.type || null);
    } else if (event.activityTaskTimedOutEventAttributes) {
      const step = stepOf(event.activityTaskTimedOutEventAttributes.scheduledEventId);
      finish(step, event, 'timed-out', 'timed out');
      if (step) step.wasSending = await lastHeartbeatSaysSending(converter, event.activityTaskTimedOutEventAttributes.failure);
    } else if (event.activityTaskCanceledEventAttributes) {
      finish(stepOf(event.activityTaskCanceledEventAttributes.scheduledEventId), event, 'cancelled');
    } else if (event.workflowExecutionSignaledEventAttributes) {
      const attributes = event.workflowExecutionSignaledEventAttributes;
      const [payload] = await decodeArrayFromPayloads(converter, attributes.input?.payloads).catch(() => []);
      const kind = payload && typeof payload === 'object' && 'kind' in payload ? String((payload as { kind: unknown }).kind) : null;
      history.signals.push({ at: at(event), name: attributes.signalName ?? 'signal', kind });
    } else if (event.workflowExecutionUpdateAcceptedEventAttributes) {
      const name = event.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? 'update';
      history.signals.push({ at: at(event), name, kind: null });
    } else if (event.workflowExecutionCompletedEventAttributes) {
      history.closedAs = 'completed';
      history.result = await decodeFromPayloadsAtIndex<TransferResult>(converter, 0, event.workflowExecutionCompletedEventAttributes.result?.payloads).catch(() => null);
    } else if (event.workflowExecutionFailedEventAttributes) {
      history.closedAs = 'failed';
      history.failure = await failureMessage(converter, event.workflowExecutionFailedEventAttributes.failure);
    } else if (event.workflowExecutionCanceledEventAttributes) {
      history.closedAs = 'cancelled';
    } else if (event.workflowExecutionTerminatedEventAttributes) {
      history.closedAs = 'terminated';
      history.failure = event.workflowExecutionTerminatedEventAttributes.reason || 'terminated';
    } else if (event.workflowExecutionTimedOutEventAttributes) {
      history.closedAs = 'timed-out';
    } else if (event.workflowExecutionContinuedAsNewEventAttributes) {
      history.closedAs = 'continued-as-new';
    }
  }
  history.steps = [...steps.values()];
  return history;
}

/**
 * Core's own bookkeeping on a local activity marker: its type, attempt and completion time, as plain JSON that
 * never passes through the payload codec. Null for any other event.
 */
export function localActivityMarker(event: HistoryEvent): { activity: string; attempt: number; completedAtMs: number } | null {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== LOCAL_ACTIVITY_MARKER) return null;
  const payload = marker.details?.data?.payloads?.[0];
  if (!payload) return null;
  let data: { activity_type?: string; attempt?: number; complete_time?: { seconds?: number | string; nanos?: number } };
  try {
    data = defaultPayloadConverter.fromPayload(payload);
  } catch {
    return null;
  }
  if (!data?.activity_type) return null;
  const completed = data.complete_time;
  return {
    activity: data.activity_type,
    attempt: data.attempt ?? 1,
    completedAtMs: completed ? Number(completed.seconds ?? 0) * 1000 + Math.floor((completed.nanos ?? 0) / 1e6) : Date.parse(at(event)),
  };
}

/** A local activity marker with what it recorded: the summary, and the result or failure through the data converter. */
export async function readLocalActivityMarker(
  converter: LoadedDataConverter,
  event: HistoryEvent,
): Promise<{ activity: string; attempt: number; completedAt: string; summary: string | null; result: unknown; error: string | null } | null> {
  const bookkeeping = localActivityMarker(event);
  if (!bookkeeping) return null;
  const attributes = event.markerRecordedEventAttributes!;
  const [metadata, result, error] = await Promise.all([
    decodeUserMetadata(converter, event.userMetadata).catch(() => ({ staticSummary: undefined })),
    attributes.details?.result ? decodeFromPayloadsAtIndex<unknown>(converter, 0, attributes.details.result.payloads).catch(() => undefined) : undefined,
    attributes.failure ? failureMessage(converter, attributes.failure) : null,
  ]);
  const { activity, attempt, completedAtMs } = bookkeeping;
  return { activity, attempt, completedAt: new Date(completedAtMs).toISOString(), summary: metadata.staticSummary ?? null, result, error };
}

/** A timed-out attempt's last heartbeat, read as the POST's sending marker (null: none, or not readable here). */
async function lastHeartbeatSaysSending(converter: LoadedDataConverter, failure: temporal.api.failure.v1.IFailure | null | undefined): Promise<boolean | null> {
  // The timeout is the failure itself or, after retries, its cause.
  const timeout = failure?.timeoutFailureInfo ?? failure?.cause?.timeoutFailureInfo;
  const payloads = timeout?.lastHeartbeatDetails?.payloads;
  if (!payloads?.length) return null;
  const [details] = await decodeArrayFromPayloads(converter, payloads).catch(() => [undefined]);
  return details === undefined ? null : mayHaveBeenSent(details);
}

async function failureMessage(converter: LoadedDataConverter, failure: Parameters<typeof decodeOptionalFailureToOptionalError>[1]): Promise<string | null> {
  const error = await decodeOptionalFailureToOptionalError(converter, failure).catch(() => undefined);
  return error ? error.message : null;
}
