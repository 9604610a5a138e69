import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AgentLiveState } from './routing';

/**
 * One entity workflow per agent holds that agent's status and reservations. Capacity is enforced per agent,
 * so transfers for different agents never wait on each other, and there is no workflow every transfer
 * passes through.
 */
export const AGENT_WORKFLOW_TYPE = 'agent';

/** Per task queue, so two deployments (or two tests) sharing a namespace keep their agents apart. */
export function agentWorkflowId(taskQueue: string, agentId: string): string {
  return `agent:${taskQueue}:${agentId}`;
}

export interface AgentReservation {
  /** The transfer workflow id: one reservation per transfer, so a retried reservation is not a second one. */
  transferId: string;
  reservedAt: string;
  expiresAt: string;
}

/** One agent's whole state; carried across continue-as-new. */
export interface AgentState {
  status: AgentLiveState['status'];
  lastAssignedAt: string | null;
  reservations: AgentReservation[];
}

export interface ReserveAgentRequest {
  transferId: string;
  /** The agent's capacity from the routing file in force for this transfer. */
  maxConcurrent: number;
  /** Released automatically after this long, in case the transfer's outcome never arrives. */
  ttlSeconds: number;
}

export const reserveAgentUpdate = defineUpdate<{ reserved: boolean; state: AgentState }, [ReserveAgentRequest]>('reserve');
export const releaseAgentUpdate = defineUpdate<{ released: boolean; state: AgentState }, [{ transferId: string }]>('release');
export const setAgentStatusUpdate = defineUpdate<AgentState, [{ status: AgentLiveState['status'] }]>('setStatus');
export const agentStateQuery = defineQuery<AgentState>('state');

/** An agent no workflow holds yet: available, never assigned. */
export function newAgentState(): AgentState {
  return { status: 'available', lastAssignedAt: null, reservations: [] };
}

/** The expiry rule, for the agent workflow and every reader: a reservation counts until its TTL has passed. */
export function unexpiredReservations(state: AgentState, now: number): AgentReservation[] {
  return state.reservations.filter((reservation) => Date.parse(reservation.expiresAt) > now);
}

/**
 * The agent as routing reads it at `now`. Expired reservations no longer count, whether or not the agent's
 * workflow has run since (a query cannot advance workflow time).
 */
export function liveState(state: AgentState, now: number): AgentLiveState {
  return { status: state.status, activeTransfers: unexpiredReservations(state, now).length, lastAssignedAt: state.lastAssignedAt };
}
