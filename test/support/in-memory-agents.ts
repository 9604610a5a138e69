import type { AgentLiveState, AgentState } from '../../src/contracts';
import { liveState, newAgentState } from '../../src/contracts';
import type { AgentDirectory, ReservationRequest } from '../../src/integrations/agent-directory';
import type { AgentCommand } from '../../src/workflows/v1/agent/reservations';
import { reduceAgent } from '../../src/workflows/v1/agent/reservations';

/**
 * Agents without Temporal, for tests that do not exercise the agents' workflows: the same reducer the
 * `agent` workflow applies, so idempotency and expiry behave as in production.
 */
export class InMemoryAgentDirectory implements AgentDirectory {
  readonly agents = new Map<string, AgentState>();

  constructor(private readonly now: () => number = Date.now) {}

  private apply(agentId: string, command: AgentCommand): boolean {
    const next = reduceAgent(this.agents.get(agentId) ?? newAgentState(), command, this.now());
    this.agents.set(agentId, next.state);
    return next.applied;
  }

  async reserve(request: ReservationRequest): Promise<string | null> {
    for (const candidate of request.candidates) {
      if (this.apply(candidate.agentId, { type: 'reserve', transferId: request.transferId, maxConcurrent: candidate.maxConcurrent, ttlSeconds: request.ttlSeconds })) {
        return candidate.agentId;
      }
    }
    return null;
  }

  async release(transferId: string, agentId: string): Promise<void> {
    this.apply(agentId, { type: 'release', transferId });
  }

  async setStatus(agentId: string, status: AgentLiveState['status']): Promise<AgentLiveState> {
    this.apply(agentId, { type: 'set-status', status });
    return liveState(this.agents.get(agentId)!, this.now());
  }

  async liveStates(agentIds: readonly string[]): Promise<Record<string, AgentLiveState>> {
    return Object.fromEntries(agentIds.map((agentId) => [agentId, liveState(this.agents.get(agentId) ?? newAgentState(), this.now())]));
  }
}
