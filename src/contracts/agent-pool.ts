import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AgentLiveState } from './routing';

/** The entity workflow that owns agents' live state: one per transfer task queue. */
export const AGENT_POOL_WORKFLOW_TYPE = 'agentPool';

export function agentPoolWorkflowId(taskQueue: string): string {
  return `agent-pool-${taskQueue}`;
}

export interface ReserveAgentRequest {
  /** The transfer workflow id: one reservation per transfer, so a retried reservation is not a second one. */
  transferId: string;
  /** In the order routing ranked them; the first with free capacity is reserved. */
  candidates: { agentId: string; maxConcurrent: number }[];
  /** Released automatically after this long, in case the outcome never arrives. */
  ttlSeconds: number;
}

export interface AgentReservation {
  transferId: string;
  reservedAt: string;
  expiresAt: string;
}

export interface AgentPoolAgent {
  status: AgentLiveState['status'];
  lastAssignedAt: string | null;
  reservations: AgentReservation[];
}

/** The pool's whole state; carried across continue-as-new. */
export interface AgentPoolState {
  agents: Record<string, AgentPoolAgent>;
}

export const reserveAgentUpdate = defineUpdate<{ agentId: string | null }, [ReserveAgentRequest]>('reserveAgent');
export const releaseAgentUpdate = defineUpdate<{ released: string[] }, [{ transferId: string }]>('releaseAgent');
export const setAgentStatusUpdate = defineUpdate<AgentLiveState, [{ agentId: string; status: AgentLiveState['status'] }]>('setAgentStatus');
export const agentPoolQuery = defineQuery<AgentPoolState>('agents');

/** Live state as routing reads it; agents never seen are available and idle. */
export function liveStates(state: AgentPoolState): Record<string, AgentLiveState> {
  return Object.fromEntries(
    Object.entries(state.agents).map(([agentId, agent]) => [
      agentId,
      { status: agent.status, activeTransfers: agent.reservations.length, lastAssignedAt: agent.lastAssignedAt },
    ]),
  );
}
