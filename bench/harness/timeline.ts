import type { temporal } from '@temporalio/proto';
import { localActivityMarker } from '../../src/operations/transfer-history';

export interface TimelineEntry {
  /** Milliseconds after the webhook was sent. */
  atMs: number;
  event: string;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** An event's server time in epoch milliseconds. */
export function epochMs(event: HistoryEvent): number {
  const time = event.eventTime;
  return Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
}

/** One readable line per step of the history, up to the transfer's own control request. */
export function describeHistory(events: readonly HistoryEvent[], webhookSentAtEpochMs: number): TimelineEntry[] {
  const activityNames = new Map<string, string>();
  const entries: TimelineEntry[] = [];
  for (const event of events) {
    const at = epochMs(event) - webhookSentAtEpochMs;
    const local = localActivityMarker(event);
    if (local) {
      // Core stamps a local activity with workflow time: its task's start plus its own run time, so the
      // activations between local activities do not show; the task's completed event does.
      entries.push({ atMs: local.completedAtMs - webhookSentAtEpochMs, event: `local activity completed (workflow time): ${local.activity}` });
      continue;
    }
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      activityNames.set(String(event.eventId), scheduled.activityType?.name ?? '?');
      entries.push({ atMs: at, event: `activity scheduled: ${scheduled.activityType?.name}` });
      continue;
    }
    const started = event.activityTaskStartedEventAttributes;
    const completed = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes;
    if (started) entries.push({ atMs: at, event: `activity started: ${activityNames.get(String(started.scheduledEventId))}` });
    else if (completed) {
      const name = activityNames.get(String(completed.scheduledEventId));
      entries.push({ atMs: at, event: `activity ${event.activityTaskCompletedEventAttributes ? 'completed' : 'failed'}: ${name}` });
      if (name === 'executeTransfer') break;
    } else if (event.workflowExecutionStartedEventAttributes) entries.push({ atMs: at, event: 'workflow started' });
    else if (event.workflowTaskScheduledEventAttributes) entries.push({ atMs: at, event: 'workflow task scheduled' });
    else if (event.workflowTaskStartedEventAttributes) entries.push({ atMs: at, event: 'workflow task started' });
    else if (event.workflowTaskCompletedEventAttributes) entries.push({ atMs: at, event: 'workflow task completed' });
  }
  // Started events of activities are written when they complete; order by time so the line reads as it happened.
  return entries.sort((a, b) => a.atMs - b.atMs);
}

/** Where one transfer's webhook-to-transfer time went, in ms; the parts add up to `total`. */
export interface CriticalPath {
  /** Webhook sent → workflow started (the API and the start call). */
  toWorkflowStart: number;
  /** Workflow tasks waiting to be picked up by the worker. */
  workflowTaskWait: number;
  /** Local activities (routing inputs, reservation, summary), from their task's start to the last one's end. */
  localActivities: number;
  /** The rest of the workflow tasks' running time (workflow code, history bookkeeping). */
  workflowTaskWork: number;
  /** Waiting for activities other than the transfer, no workflow task pending. */
  activityWait: number;
  /** executeTransfer scheduled → completed (the control request itself). */
  transferActivity: number;
  total: number;
  /** Workflow tasks started before the control POST was scheduled. */
  workflowTasksBeforeTransfer: number;
  /** Workflow tasks of the whole run. */
  workflowTasks: number;
}

export function criticalPath(events: readonly HistoryEvent[], webhookSentAtEpochMs: number): CriticalPath | null {
  const start = events.find((event) => event.workflowExecutionStartedEventAttributes);
  if (!start) return null;
  const names = new Map<string, string>();
  let transferScheduledAt: number | undefined;
  let transferCompletedAt: number | undefined;
  let wait = 0;
  let work = 0;
  let tasksBefore = 0;
  let scheduledAt: number | undefined;
  let startedAt: number | undefined;
  const workflowTasks = events.filter((event) => event.workflowTaskStartedEventAttributes).length;
  for (const event of events) {
    const at = epochMs(event);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      names.set(String(event.eventId), scheduled.activityType?.name ?? '');
      if (scheduled.activityType?.name === 'executeTransfer' && transferScheduledAt === undefined) transferScheduledAt = at;
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed && names.get(String(completed.scheduledEventId)) === 'executeTransfer') {
      transferCompletedAt = at;
      break;
    }
    if (transferScheduledAt !== undefined) continue;
    if (event.workflowTaskScheduledEventAttributes) scheduledAt = at;
    if (event.workflowTaskStartedEventAttributes && scheduledAt !== undefined) {
      wait += at - scheduledAt;
      startedAt = at;
      tasksBefore += 1;
    }
    if ((event.workflowTaskCompletedEventAttributes || event.workflowTaskFailedEventAttributes || event.workflowTaskTimedOutEventAttributes) && startedAt !== undefined) {
      work += at - startedAt;
      startedAt = undefined;
      scheduledAt = undefined;
    }
  }
  if (transferScheduledAt === undefined || transferCompletedAt === undefined) return null;
  const local = localSpans(events, transferScheduledAt);
  const toWorkflowStart = epochMs(start) - webhookSentAtEpochMs;
  const total = transferCompletedAt - webhookSentAtEpochMs;
  const transferActivity = transferCompletedAt - transferScheduledAt;
  return {
    toWorkflowStart,
    workflowTaskWait: wait,
    localActivities: local,
    workflowTaskWork: work - local,
    activityWait: total - toWorkflowStart - wait - work - transferActivity,
    transferActivity,
    total,
    workflowTasksBeforeTransfer: tasksBefore,
    workflowTasks,
  };
}

/**
 * For every workflow task before `untilEpochMs` that ran local activities: from the task's start to the last
 * of its local activities' completion. A task's markers are written right after its completed event.
 */
function localSpans(events: readonly HistoryEvent[], untilEpochMs: number): number {
  let sum = 0;
  let taskStartedAt: number | undefined;
  let lastDone: number | undefined;
  const close = () => {
    if (taskStartedAt !== undefined && lastDone !== undefined) sum += Math.max(0, lastDone - taskStartedAt);
    lastDone = undefined;
  };
  for (const event of events) {
    if (epochMs(event) > untilEpochMs) break;
    if (event.workflowTaskStartedEventAttributes) {
      close();
      taskStartedAt = epochMs(event);
    }
    const local = localActivityMarker(event);
    if (local) lastDone = Math.max(lastDone ?? 0, local.completedAtMs);
  }
  close();
  return sum;
}

export type MedianCriticalPath = CriticalPath & { transfers: number; maxWorkflowTasksBeforeTransfer: number; maxWorkflowTasks: number };

/** The median of each part over several transfers (parts of different transfers, so they need not add up exactly). */
export function medianCriticalPath(transfers: readonly { events: readonly HistoryEvent[]; sentAtEpochMs: number }[]): MedianCriticalPath | null {
  const paths = transfers.map((transfer) => criticalPath(transfer.events, transfer.sentAtEpochMs)).filter((path): path is CriticalPath => path !== null);
  if (paths.length === 0) return null;
  const median = (pick: (path: CriticalPath) => number) => {
    const sorted = paths.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)]!;
  };
  return {
    toWorkflowStart: median((p) => p.toWorkflowStart),
    workflowTaskWait: median((p) => p.workflowTaskWait),
    localActivities: median((p) => p.localActivities),
    workflowTaskWork: median((p) => p.workflowTaskWork),
    activityWait: median((p) => p.activityWait),
    transferActivity: median((p) => p.transferActivity),
    total: median((p) => p.total),
    workflowTasksBeforeTransfer: median((p) => p.workflowTasksBeforeTransfer),
    workflowTasks: median((p) => p.workflowTasks),
    maxWorkflowTasksBeforeTransfer: Math.max(...paths.map((p) => p.workflowTasksBeforeTransfer)),
    maxWorkflowTasks: Math.max(...paths.map((p) => p.workflowTasks)),
    transfers: paths.length,
  };
}
