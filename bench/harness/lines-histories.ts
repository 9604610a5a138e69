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

export function assignmentPath(events: readonly HistoryEvent[]): AssignmentPath | null {
  const transfer = events.findIndex((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'executeTransfer');
  if (transfer < 0) return null;
  let signal = -1;
  for (let index = transfer - 1; index >= 0; index -= 1) {
    if (events[index]!.workflowExecutionSignaledEventAttributes?.signalName === lineNoticeSignal.name) {
      signal = index;
      break;
    }
  }
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
  const toScheduled: number[] = [];
  const toPost: number[] = [];
  const sequences = new Map<string, { transfers: number; workflowTasks: number }>();
  for (const mark of marks) {
    const path = mark.nextCallId ? paths.get(mark.nextCallId) : undefined;
    const post = mark.nextCallId ? postAt.get(mark.nextCallId) : undefined;
    if (!path || post === undefined) continue;
    toSignal.push(path.signalAt - (timeOrigin + mark.sentAt));
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
    signalToScheduledMs: summarize(toScheduled),
    scheduledToPostMs: summarize(toPost),
    paths: [...sequences.entries()].map(([steps, entry]) => ({ steps, ...entry })).sort((a, b) => b.transfers - a.transfers),
  };
}
