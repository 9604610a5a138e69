import type { LoadedDataConverter } from '@temporalio/common';
import { decodeFromPayloadsAtIndex, decodeUserMetadata } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import { DEFAULT_AFTER_CALL } from '../../src/contracts';
import { readLocalActivityMarker } from '../../src/operations/transfer-history';
import type { AgentHold } from './agent-holds';
import type { ReadyMark } from './fake-vapi';
import { epochMs } from './timeline';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** How a hold the check found came to an end. */
export type HoldEnd = 'released' | 'ready-mark' | 'after-call' | 'reservation-ttl' | 'end-of-run';

export interface TransferHolds {
  holds: AgentHold[];
  /** How each hold ended, counted. */
  ended: Record<HoldEnd, number>;
  /** Reservations that failed in the transfer's eyes: the agent may or may not have been held, from an unknown time. */
  unknownReservations: number;
  /** Reservation results (or a line's agent) that could not be decoded (encrypted payloads read without the key): holds not seen. */
  undecodedReservations: number;
  /** `agentConnected` for an agent the transfer was not seen to hold: the floor makes the agent busy anyway, from a time the history cannot bound. */
  connectionsWithoutHold: number;
}

/** What the check needs besides the history: the run's end, the floor's times, and the ready marks the bench sent. */
export interface HoldEvidence {
  /** When the check reads the histories (epoch ms): a hold still on then is cut there. */
  endMs: number;
  /** A reservation's TTL (RESERVATION_TTL_SECONDS), counted from no later than the floor made it. */
  ttlMs: number;
  /** The after-call time the floor gives a connection to `department` (undefined: the history did not say which). */
  afterCallMs(department: string | null | undefined): number;
  /** The bench's ready marks, by agent, in the order they were sent. */
  readyMarks: ReadonlyMap<string, readonly ReadyMark[]>;
}

export const noHoldsEnded = (): Record<HoldEnd, number> => ({ released: 0, 'ready-mark': 0, 'after-call': 0, 'reservation-ttl': 0, 'end-of-run': 0 });

/**
 * The floor's after-call time for a connection, as floor-model.ts applies it: the department's, else the default
 * (a connection naming no department, or one the roster lacks). A department the history did not let us read
 * gets the shortest of them all, so that not knowing it shortens a hold rather than lengthening it.
 */
export function afterCallFrom(departments: readonly { id: string; afterCallSeconds: number }[]): HoldEvidence['afterCallMs'] {
  const seconds = new Map(departments.map((department) => [department.id, department.afterCallSeconds]));
  const shortest = Math.min(DEFAULT_AFTER_CALL.afterCallSeconds, ...seconds.values());
  return (department) => 1000 * (department === undefined ? shortest : department === null ? DEFAULT_AFTER_CALL.afterCallSeconds : (seconds.get(department) ?? DEFAULT_AFTER_CALL.afterCallSeconds));
}

/** Ready marks grouped by agent, each agent's in the order they were sent. */
export function readyMarksByAgent(marks: readonly ReadyMark[]): Map<string, ReadyMark[]> {
  const byAgent = new Map<string, ReadyMark[]>();
  for (const mark of marks) {
    const list = byAgent.get(mark.agentId) ?? [];
    list.push(mark);
    byAgent.set(mark.agentId, list);
  }
  for (const list of byAgent.values()) list.sort((a, b) => a.sentAt - b.sentAt);
  return byAgent;
}

const RELEASED_AGENT = /^(?:Undo: )?Release agent ([^\s:]+)/;
const CONNECTED_AGENT = /^Agent ([^\s:]+) is on the call/;
const LINE_AGENT = /^Where agent ([^\s:]+) is reached/;

/** A regular activity of the transfer: its name, what it said, and the earliest time it can have acted. */
interface Step {
  name: string;
  summary: string | null;
  input: { agentId?: unknown; department?: unknown } | undefined;
  earliestEffect: number;
}

interface OpenHold {
  from: number;
  /** No later than the floor made the reservation: its TTL runs from no earlier than this. */
  ttlFrom: number;
  /** Once the agent is on the call: when the hold ends by itself (a ready mark, or the after-call time). */
  connected: { at: number; by: 'ready-mark' | 'after-call' } | null;
}

/**
 * The holds one transfer made, read from its own history as today's transfers record them, with the ready marks
 * the bench sent: evidence that is not the floor's own bookkeeping, so a floor that frees an agent too early is
 * caught. Every edge is an inner bound — a hold starts no earlier, and ends no later, than the records prove —
 * so imprecise timestamps can never invent an overlap; an overlap shorter than that uncertainty can be missed.
 *
 * - Opens when the floor's answer is recorded: the `reserveAgent` local activity marker naming an agent (the
 *   first reservation and each fallback's; the floor answered inside that workflow task, so before the marker),
 *   or, for an agent the floor reserved while the caller waited in line, the `agentDestination` marker that
 *   names it (after the floor's signal, itself after the floor reserved). A `reserveAgent` answer that no longer
 *   names a held agent means the floor let it go in that step: it ends when that workflow task started.
 * - A `releaseAgent` activity (regular, after the POST or as undo) ends the agent it names, or every hold of the
 *   transfer when it names none, at the earliest the release can have reached the floor: the activity's
 *   ActivityTaskStarted time when that event says attempt 1, else (an earlier attempt may have acted; the event
 *   records only the last one) or if it never started, its ActivityTaskScheduled time.
 * - `agentConnected` (same earliest time, `c`) keeps the agent busy until the first ready mark that can have
 *   reached the floor after the connection: a mark the API accepted (2xx) by `c` was applied before it (a ready
 *   mark leaves a reservation alone), any other ends the hold at max(sent, c); or until c + the department's
 *   after-call time; whichever is first.
 * - Otherwise a hold lasts until its reservation's TTL or the end of the run.
 * Agents held by callback workflows (a promised call back) are not in transfer histories and are not seen. A 1.0
 * transfer's `releaseAgent` local activity marker ends a hold when its workflow task started.
 */
export async function holdsFromTransferHistory(converter: LoadedDataConverter, transferId: string, events: readonly HistoryEvent[], evidence: HoldEvidence): Promise<TransferHolds> {
  const steps = await activitySteps(converter, events);
  const open = new Map<string, OpenHold>();
  const found: TransferHolds = { holds: [], ended: noHoldsEnded(), unknownReservations: 0, undecodedReservations: 0, connectionsWithoutHold: 0 };
  let taskStartedAt = Number.NaN;
  let reservedTaskAt = Number.NaN;

  const close = (agentId: string, at: number, by: HoldEnd) => {
    const hold = open.get(agentId)!;
    open.delete(agentId);
    const natural = hold.connected ?? { at: hold.ttlFrom + evidence.ttlMs, by: 'reservation-ttl' as const };
    const end = at < natural.at ? { at, by } : natural;
    found.holds.push({ agentId, transferId, from: hold.from, to: Math.max(hold.from, end.at) });
    found.ended[end.by] += 1;
  };
  const hold = (agentId: string, from: number, ttlFrom: number) => {
    if (!open.has(agentId)) open.set(agentId, { from, ttlFrom, connected: null });
  };

  for (const event of events) {
    if (event.workflowTaskStartedEventAttributes) {
      taskStartedAt = epochMs(event);
      continue;
    }
    if (event.markerRecordedEventAttributes) {
      const marker = await readLocalActivityMarker(converter, event);
      if (marker?.activity === 'reserveAgent') {
        reservedTaskAt = taskStartedAt;
        if (marker.error !== null) {
          found.unknownReservations += 1;
          continue;
        }
        // A reservation always answers an object ({agentId: null} when nobody was free): nothing means not decoded.
        if (marker.result === undefined) {
          found.undecodedReservations += 1;
          continue;
        }
        const agentId = (marker.result as { agentId?: unknown } | null)?.agentId;
        const named = typeof agentId === 'string' ? agentId : null;
        for (const [held, hold] of [...open]) if (held !== named && !hold.connected) close(held, taskStartedAt, 'released');
        if (named) hold(named, epochMs(event), taskStartedAt);
      } else if (marker?.activity === 'releaseAgent') {
        // A 1.0 transfer (--ref to an older commit) released as a local activity, the agent freed when forwarded:
        // the release ran inside this workflow task, so no earlier than it started.
        const agentId = RELEASED_AGENT.exec(marker.summary ?? '')?.[1];
        for (const held of agentId ? [agentId] : [...open.keys()]) if (open.has(held)) close(held, taskStartedAt, 'released');
      } else if (marker?.activity === 'agentDestination') {
        const agentId = LINE_AGENT.exec(marker.summary ?? '')?.[1];
        if (agentId) hold(agentId, epochMs(event), Number.isNaN(reservedTaskAt) ? taskStartedAt : reservedTaskAt);
        else found.undecodedReservations += 1;
      }
      continue;
    }
    const step = event.activityTaskScheduledEventAttributes ? steps.get(String(event.eventId)) : undefined;
    if (step?.name === 'releaseAgent') {
      const input = step.input;
      const agentId = input ? (typeof input.agentId === 'string' ? input.agentId : undefined) : RELEASED_AGENT.exec(step.summary ?? '')?.[1];
      // A release that names nobody frees whatever the transfer holds (the floor keeps one agent per transfer).
      for (const held of agentId ? [agentId] : [...open.keys()]) if (open.has(held)) close(held, step.earliestEffect, 'released');
    } else if (step?.name === 'agentConnected') {
      const agentId = typeof step.input?.agentId === 'string' ? step.input.agentId : CONNECTED_AGENT.exec(step.summary ?? '')?.[1];
      const held = agentId ? open.get(agentId) : undefined;
      if (!agentId || !held) {
        found.connectionsWithoutHold += 1;
        continue;
      }
      if (held.connected) continue;
      const department = step.input ? (typeof step.input.department === 'string' ? step.input.department : null) : undefined;
      held.connected = heldAfterConnection(evidence, agentId, step.earliestEffect, department);
    }
  }
  for (const agentId of [...open.keys()]) close(agentId, evidence.endMs, 'end-of-run');
  return found;
}

/** When an agent connected at `connectedAt` (the earliest the floor can have heard) is free again at the earliest. */
function heldAfterConnection(evidence: HoldEvidence, agentId: string, connectedAt: number, department: string | null | undefined): NonNullable<OpenHold['connected']> {
  let end: NonNullable<OpenHold['connected']> = { at: connectedAt + evidence.afterCallMs(department), by: 'after-call' };
  for (const mark of evidence.readyMarks.get(agentId) ?? []) {
    if (mark.sentAt >= end.at) break;
    if (mark.acceptedAt !== null && mark.acceptedAt <= connectedAt) continue;
    end = { at: Math.max(mark.sentAt, connectedAt), by: 'ready-mark' };
    break;
  }
  return end;
}

/**
 * The transfer's regular activities by their scheduled event id. The earliest an activity can have acted: when
 * it started, if its started event says attempt 1; else when it was scheduled. The started event is written when
 * the activity closes, after later events, and only for the last attempt: hence a pass of its own.
 */
async function activitySteps(converter: LoadedDataConverter, events: readonly HistoryEvent[]): Promise<Map<string, Step>> {
  const steps = new Map<string, Step>();
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const name = scheduled.activityType?.name ?? '';
      if (name !== 'releaseAgent' && name !== 'agentConnected') continue;
      const [metadata, input] = await Promise.all([
        decodeUserMetadata(converter, event.userMetadata).catch(() => ({ staticSummary: undefined })),
        decodeFromPayloadsAtIndex<Step['input']>(converter, 0, scheduled.input?.payloads).catch(() => undefined),
      ]);
      steps.set(String(event.eventId), { name, summary: metadata.staticSummary ?? null, input: input ?? undefined, earliestEffect: epochMs(event) });
      continue;
    }
    const started = event.activityTaskStartedEventAttributes;
    const step = started ? steps.get(String(started.scheduledEventId)) : undefined;
    if (step && (started!.attempt ?? 1) <= 1) step.earliestEffect = Math.max(step.earliestEffect, epochMs(event));
  }
  return steps;
}
