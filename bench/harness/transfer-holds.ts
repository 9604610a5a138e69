import type { LoadedDataConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { readLocalActivityMarker } from '../../src/operations/transfer-history';
import type { AgentHold } from './agent-holds';
import { epochMs } from './timeline';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface TransferHolds {
  holds: AgentHold[];
  /** Reservations that failed in the transfer's eyes: the agent may or may not have been held, from an unknown time. */
  unknownReservations: number;
  /** Reservation results that could not be decoded (encrypted payloads read without the key): holds not seen. */
  undecodedReservations: number;
}

const RELEASED_AGENT = /^Release agent ([a-z0-9][a-z0-9-]*)/;

/**
 * The holds one transfer made, read from its own history as today's transfers record them: a `reserveAgent`
 * local activity marker whose result names the agent opens a hold, a `releaseAgent` marker (its summary names
 * the agent) closes it; a hold never released lasts until its reservation expires (`ttlMs`) or `endMs`. A
 * reservation that failed in the transfer's eyes is only counted: when it was made, if at all, is unknown.
 *
 * Times are the inner bounds of what the history proves, so imprecise timestamps can never invent an overlap:
 * a hold starts when its marker was recorded (the reservation was made by then) and ends when the workflow task
 * that released it started (the release cannot have come earlier). An overlap found is real; one shorter than
 * those few milliseconds of uncertainty can be missed.
 */
export async function holdsFromTransferHistory(
  converter: LoadedDataConverter,
  transferId: string,
  events: readonly HistoryEvent[],
  options: { endMs: number; ttlMs: number },
): Promise<TransferHolds> {
  const open = new Map<string, { from: number; reservedTaskAt: number }>();
  const holds: AgentHold[] = [];
  let unknownReservations = 0;
  let undecodedReservations = 0;
  let taskStartedAt = Number.NaN;
  const close = (agentId: string, releasedAt: number) => {
    const hold = open.get(agentId)!;
    open.delete(agentId);
    holds.push({ agentId, transferId, from: hold.from, to: Math.max(hold.from, Math.min(releasedAt, hold.reservedTaskAt + options.ttlMs)) });
  };
  for (const event of events) {
    if (event.workflowTaskStartedEventAttributes) {
      taskStartedAt = epochMs(event);
      continue;
    }
    if (!event.markerRecordedEventAttributes) continue;
    const marker = await readLocalActivityMarker(converter, event);
    if (marker?.activity === 'reserveAgent') {
      const agentId = marker.error === null ? (marker.result as { agentId?: unknown } | undefined)?.agentId : undefined;
      if (marker.error !== null) unknownReservations += 1;
      // A reservation always answers an object ({agentId: null} when nobody was free): nothing means not decoded.
      else if (marker.result === undefined) undecodedReservations += 1;
      else if (typeof agentId === 'string' && !open.has(agentId)) open.set(agentId, { from: epochMs(event), reservedTaskAt: taskStartedAt });
    } else if (marker?.activity === 'releaseAgent') {
      // Failed or not, the agent was surely held until the release was tried.
      const named = RELEASED_AGENT.exec(marker.summary ?? '')?.[1];
      const agentId = named ?? (open.size === 1 ? [...open.keys()][0] : undefined);
      if (agentId && open.has(agentId)) close(agentId, taskStartedAt);
    }
  }
  for (const agentId of [...open.keys()]) close(agentId, options.endMs);
  return { holds, unknownReservations, undecodedReservations };
}
