import type { AgentLiveState, AgentState, ReserveAgentRequest } from '../../../contracts';
import { unexpiredReservations } from '../../../contracts';

export type AgentCommand =
  | ({ type: 'reserve' } & ReserveAgentRequest)
  | { type: 'release'; transferId: string }
  | { type: 'set-status'; status: AgentLiveState['status'] };

/**
 * The one reservation reducer: the agent workflow applies it to every update, and test fakes apply the same
 * one, so idempotency and expiry behave alike everywhere. Pure: state and `now` in, the next state and
 * whether the command took effect out.
 *
 * - reserve: one reservation per transfer (a repeated reserve of the same transfer is that reservation);
 *   refused while the agent is offline or already holds `maxConcurrent` live reservations.
 * - release: removes the transfer's reservation; releasing twice is harmless.
 * - expired reservations are dropped by every command before it applies.
 */
export function reduceAgent(state: AgentState, command: AgentCommand, now: number): { state: AgentState; applied: boolean } {
  const live = withoutExpired(state, now);
  switch (command.type) {
    case 'reserve': {
      if (live.reservations.some((reservation) => reservation.transferId === command.transferId)) return { state: live, applied: true };
      if (live.status !== 'available' || live.reservations.length >= command.maxConcurrent) return { state: live, applied: false };
      const at = new Date(now).toISOString();
      const reservation = { transferId: command.transferId, reservedAt: at, expiresAt: new Date(now + command.ttlSeconds * 1000).toISOString() };
      return { state: { ...live, lastAssignedAt: at, reservations: [...live.reservations, reservation] }, applied: true };
    }
    case 'release': {
      const reservations = live.reservations.filter((reservation) => reservation.transferId !== command.transferId);
      return { state: { ...live, reservations }, applied: reservations.length !== live.reservations.length };
    }
    case 'set-status':
      return { state: { ...live, status: command.status }, applied: live.status !== command.status };
  }
}

export function withoutExpired(state: AgentState, now: number): AgentState {
  const reservations = unexpiredReservations(state, now);
  return reservations.length === state.reservations.length ? state : { ...state, reservations };
}
