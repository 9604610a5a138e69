import type { temporal } from '@temporalio/proto';
import { lineNoticeSignal } from '../../src/contracts';
import { localActivityMarker } from '../../src/operations/transfer-history';
import type { TimedMark } from './lines-accounting';
import type { LatencySummary } from './stats';
import { summarize } from './stats';
import { epochMs } from './timeline';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * Where a served-from-line caller's transfer spent the time between the floor's word that an agent is theirs
 * (the `lineNotice` signal recorded in their workflow) and the control POST (`executeTransfer` scheduled):
 * read from names and times only, so the encrypted payloads need no key.
 */
export interface AssignmentPath {
  /** Epoch ms of the last `lineNotice` signal before the transfer was scheduled. */
  signalAt: number;
  /** Epoch ms `executeTransfer` was scheduled. */
  transferScheduledAt: number;
  /** Activities and local activities run in between, in order. */
  steps: string[];
  /** Workflow tasks started in between. */
  workflowTasks: number;
}

/** The last `lineNotice` signal before `index`, or -1. */
function noticeBefore(events: readonly HistoryEvent[], index: number): number {
  for (let at = index - 1; at >= 0; at -= 1) if (events[at]!.workflowExecutionSignaledEventAttributes?.signalName === lineNoticeSignal.name) return at;
  return -1;
}

/** What a transfer's history says of its time in line (epoch ms); names and times only. */
export interface LineFacts {
  /** When the floor answered the first reservation (`reserveAgent` local activity completed): for a caller who waits, joining the line. */
  reservedAt?: number;
  /** When the floor's word that an agent is theirs was recorded: the `lineNotice` signal before reading that agent's destination. */
  assignedAt?: number;
}

export function lineFacts(events: readonly HistoryEvent[]): LineFacts {
  let reservedAt: number | undefined;
  let destination = -1;
  for (const [index, event] of events.entries()) {
    const local = localActivityMarker(event);
    if (local?.activity === 'reserveAgent' && reservedAt === undefined) reservedAt = local.completedAtMs;
    if (local?.activity === 'agentDestination') {
      destination = index;
      break;
    }
  }
  const notice = destination < 0 ? -1 : noticeBefore(events, destination);
  return { ...(reservedAt !== undefined ? { reservedAt } : {}), ...(notice >= 0 ? { assignedAt: epochMs(events[notice]!) } : {}) };
}

export function assignmentPath(events: readonly HistoryEvent[]): AssignmentPath | null {
  const transfer = events.findIndex((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'executeTransfer');
  if (transfer < 0) return null;
  const signal = noticeBefore(events, transfer);
  if (signal < 0) return null;
  const between = events.slice(signal + 1, transfer);
  const steps = between.flatMap((event) => {
    const local = localActivityMarker(event);
    if (local) return [`${local.activity} (local)`];
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
  return {
    signalAt: epochMs(events[signal]!),
    transferScheduledAt: epochMs(events[transfer]!),
    steps,
    workflowTasks: between.filter((event) => event.workflowTaskStartedEventAttributes).length,
  };
}

export interface ReadyPathSummary {
  /** Marks whose transfer's history could be read. */
  read: number;
  /** Mark sent → the signal recorded in the caller's workflow (the API, the floor's Update, the floor's signal). */
  markToSignalMs: LatencySummary;
  /** Of which: mark sent → its 2xx (the API and the floor's Update, done when the floor has served the line). */
  markToAnsweredMs: LatencySummary;
  /** Of which: the 2xx → the signal recorded (the floor's signal command carried out by the server). */
  answeredToSignalMs: LatencySummary;
  /** Signal → the POST scheduled (the caller's workflow tasks and the steps in between). */
  signalToScheduledMs: LatencySummary;
  /** POST scheduled → it reached the fake control URL (activity dispatch and the request). */
  scheduledToPostMs: LatencySummary;
  /** The steps between signal and POST, most common sequence first, with how many transfers took it. */
  paths: { steps: string; transfers: number; workflowTasks: number }[];
}

/**
 * Splits each timed mark's delay at the caller's workflow history. `timeOrigin` turns the harness's
 * performance.now() times into epoch ms (the server's event times are wall-clock, the same machine's).
 */
export function readyPaths(marks: readonly TimedMark[], postAt: ReadonlyMap<string, number>, paths: ReadonlyMap<string, AssignmentPath>, timeOrigin: number): ReadyPathSummary {
  const toSignal: number[] = [];
  const toAnswered: number[] = [];
  const answeredToSignal: number[] = [];
  const toScheduled: number[] = [];
  const toPost: number[] = [];
  const sequences = new Map<string, { transfers: number; workflowTasks: number }>();
  for (const mark of marks) {
    const path = mark.nextCallId ? paths.get(mark.nextCallId) : undefined;
    const post = mark.nextCallId ? postAt.get(mark.nextCallId) : undefined;
    if (!path || post === undefined) continue;
    toSignal.push(path.signalAt - (timeOrigin + mark.sentAt));
    if (mark.answeredAt !== undefined) {
      toAnswered.push(mark.answeredAt - mark.sentAt);
      answeredToSignal.push(path.signalAt - (timeOrigin + mark.answeredAt));
    }
    toScheduled.push(path.transferScheduledAt - path.signalAt);
    toPost.push(timeOrigin + post - path.transferScheduledAt);
    const key = path.steps.join(' → ') || '(none)';
    const entry = sequences.get(key) ?? { transfers: 0, workflowTasks: 0 };
    entry.transfers += 1;
    entry.workflowTasks = Math.max(entry.workflowTasks, path.workflowTasks);
    sequences.set(key, entry);
  }
  return {
    read: toSignal.length,
    markToSignalMs: summarize(toSignal),
    markToAnsweredMs: summarize(toAnswered),
    answeredToSignalMs: summarize(answeredToSignal),
    signalToScheduledMs: summarize(toScheduled),
    scheduledToPostMs: summarize(toPost),
    paths: [...sequences.entries()].map(([steps, entry]) => ({ steps, ...entry })).sort((a, b) => b.transfers - a.transfers),
  };
}

/** The floor workflow's work over a window, from its histories (every run: it continues as new). */
export interface FloorWork {
  runs: number;
  /** Workflow tasks scheduled in the window. */
  workflowTasks: number;
  perSecond: number;
  /** Scheduled → started: waiting for the worker (a task also waits while the previous one runs). */
  scheduleToStartMs: LatencySummary;
  /** Started → completed: the worker's turn, the floor's code included. */
  startToCompleteMs: LatencySummary;
  /** Updates accepted (reservations, agents' status), signals received (releases, connections), line notices sent. */
  updates: number;
  signalsIn: number;
  signalsOut: number;
}

export function floorWork(histories: readonly (readonly HistoryEvent[])[], fromEpochMs: number, toEpochMs: number): FloorWork {
  const scheduleToStart: number[] = [];
  const startToComplete: number[] = [];
  let updates = 0;
  let signalsIn = 0;
  let signalsOut = 0;
  const inWindow = (event: HistoryEvent) => epochMs(event) >= fromEpochMs && epochMs(event) <= toEpochMs;
  for (const events of histories) {
    const byId = new Map(events.map((event) => [String(event.eventId), event]));
    for (const event of events) {
      if (!inWindow(event)) continue;
      if (event.workflowExecutionUpdateAcceptedEventAttributes) updates += 1;
      if (event.workflowExecutionSignaledEventAttributes) signalsIn += 1;
      if (event.signalExternalWorkflowExecutionInitiatedEventAttributes) signalsOut += 1;
      const started = event.workflowTaskStartedEventAttributes;
      if (started) {
        const scheduled = byId.get(String(started.scheduledEventId));
        if (scheduled) scheduleToStart.push(epochMs(event) - epochMs(scheduled));
      }
      const completed = event.workflowTaskCompletedEventAttributes;
      if (completed) {
        const start = byId.get(String(completed.startedEventId));
        if (start) startToComplete.push(epochMs(event) - epochMs(start));
      }
    }
  }
  return {
    runs: histories.length,
    workflowTasks: scheduleToStart.length,
    perSecond: scheduleToStart.length / Math.max(0.001, (toEpochMs - fromEpochMs) / 1000),
    scheduleToStartMs: summarize(scheduleToStart),
    startToCompleteMs: summarize(startToComplete),
    updates,
    signalsIn,
    signalsOut,
  };
}
