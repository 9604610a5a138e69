import type { AgentLiveState, AgentPoolState, ReserveAgentRequest } from '../../src/contracts';
import type { AgentPool } from '../../src/integrations/agent-pool-client';

/** An AgentPool without Temporal, for activity tests that do not exercise the pool workflow itself. */
export class InMemoryAgentPool implements AgentPool {
  readonly state: AgentPoolState = { agents: {} };

  async snapshot(): Promise<AgentPoolState> {
    return structuredClone(this.state);
  }

  async reserve(request: ReserveAgentRequest): Promise<{ agentId: string | null }> {
    for (const candidate of request.candidates) {
      const agent = (this.state.agents[candidate.agentId] ??= { status: 'available', lastAssignedAt: null, reservations: [] });
      if (agent.status === 'available' && agent.reservations.length < candidate.maxConcurrent) {
        agent.reservations.push({ transferId: request.transferId, reservedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + request.ttlSeconds * 1000).toISOString() });
        agent.lastAssignedAt = new Date().toISOString();
        return { agentId: candidate.agentId };
      }
    }
    return { agentId: null };
  }

  async release(transferId: string): Promise<{ released: string[] }> {
    const released: string[] = [];
    for (const [id, agent] of Object.entries(this.state.agents)) {
      const before = agent.reservations.length;
      agent.reservations = agent.reservations.filter((r) => r.transferId !== transferId);
      if (before !== agent.reservations.length) released.push(id);
    }
    return { released };
  }

  async setStatus(agentId: string, status: AgentLiveState['status']): Promise<AgentLiveState> {
    const agent = (this.state.agents[agentId] ??= { status: 'available', lastAssignedAt: null, reservations: [] });
    agent.status = status;
    return { status, activeTransfers: agent.reservations.length, lastAssignedAt: agent.lastAssignedAt };
  }
}
