import type { LoadedDataConverter } from '@temporalio/common';
import {
  decodeArrayFromPayloads,
  decodeFromPayloadsAtIndex,
  decodeOptionalFailureToOptionalError,
  decodeUserMetadata,
} from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import type { TransferRequest, TransferResult } from '../contracts';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** One activity of a transfer as the history tells it: what it was for, how long it took, how it ended. */
export interface StepTiming {
  activity: string;
  summary: string | null;
  status: 'scheduled' | 'running' | 'completed' | 'failed' | 'timed-out' | 'cancelled';
  attempts: number;
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** From scheduled to finished: queueing, retries and the work itself. */
  durationMs: number | null;
  error: string | null;
}

export interface TransferHistory {
  request: TransferRequest | null;
  steps: StepTiming[];
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
  const history: TransferHistory = { request: null, steps: [], signals: [], result: null, failure: null, closedAs: null };
  const stepOf = (scheduledEventId: unknown) => steps.get(String(scheduledEventId ?? ''));
  const finish = (step: StepTiming | undefined, event: HistoryEvent, status: StepTiming['status'], error: string | null = null) => {
    if (!step) return;
    step.status = status;
    step.finishedAt = at(event);
    step.durationMs = Date.parse(step.finishedAt) - Date.parse(step.scheduledAt);
    step.error = error;
  };
  const failureText = async (failure: Parameters<typeof decodeOptionalFailureToOptionalError>[1]): Promise<string | null> => {
    const error = await decodeOptionalFailureToOptionalError(converter, failure).catch(() => undefined);
    if (!error) return null;
    return error.message;
  };

  for (const event of events) {
    if (event.workflowExecutionStartedEventAttributes) {
      history.request = await decodeFromPayloadsAtIndex<TransferRequest>(converter, 0, event.workflowExecutionStartedEventAttributes.input?.payloads).catch(() => null);
    } else if (event.activityTaskScheduledEventAttributes) {
      const metadata = await decodeUserMetadata(converter, event.userMetadata).catch(() => ({ staticSummary: undefined }));
      steps.set(eventId(event), {
        activity: event.activityTaskScheduledEventAttributes.activityType?.name ?? 'unknown',
        summary: metadata.staticSummary ?? null,
        status: 'scheduled',
        attempts: 0,
        scheduledAt: at(event),
        startedAt: null,
        finishedAt: null,
        durationMs: null,
        error: null,
      });
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
      finish(stepOf(attributes.scheduledEventId), event, 'failed', await failureText(attributes.failure));
    } else if (event.activityTaskTimedOutEventAttributes) {
      finish(stepOf(event.activityTaskTimedOutEventAttributes.scheduledEventId), event, 'timed-out', 'timed out');
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
      history.failure = await failureText(event.workflowExecutionFailedEventAttributes.failure);
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
