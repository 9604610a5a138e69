import type { ContactCenter } from '../config/contact-center';
import { routingPolicyOf } from '../config/contact-center';
import type { AgentLiveState, RoutingPolicy, ToneAssessment } from '../contracts';
import type { AgentDirectory, ReservationRequest } from '../integrations/agent-directory';
import type { ToneJudge } from '../integrations/tone';

export interface RoutingActivityDeps {
  contactCenter: ContactCenter;
  agents: AgentDirectory;
  tone: ToneJudge;
}

/**
 * What routing reads and the reservation it makes. All run as local activities inside the transfer's first
 * workflow task, so each is short and safe to run again: reads, and a reservation keyed by the transfer.
 */
export function createRoutingActivities(deps: RoutingActivityDeps) {
  return {
    /**
     * The routing configuration for this transfer. Returned from an activity so it is recorded in history:
     * a changed routing file affects new transfers only, and replays see what the original run saw.
     */
    async loadRoutingPolicy(): Promise<RoutingPolicy> {
      return routingPolicyOf(deps.contactCenter);
    },

    /** The caller's tone from their own words; rule 5 asks for a senior agent when it is clearly angry. */
    async assessTone(input: { words?: string }): Promise<ToneAssessment> {
      return deps.tone.assess(input.words ?? '');
    },

    /** Agents' live state as this worker last saw it (at most a moment old); the reservation re-checks. */
    async loadAgentStates(): Promise<Record<string, AgentLiveState>> {
      return deps.agents.liveStates(deps.contactCenter.agents.map((agent) => agent.id));
    },

    /** Reserves the first of the ranked agents that is available and has room, or none. */
    async reserveAgent(input: ReservationRequest): Promise<{ agentId: string | null }> {
      return { agentId: await deps.agents.reserve(input) };
    },

    /** Frees the agent this transfer holds; idempotent, so it serves as compensation and on every outcome. */
    async releaseAgent(input: { transferId: string; agentId: string }): Promise<void> {
      await deps.agents.release(input.transferId, input.agentId);
    },
  };
}
