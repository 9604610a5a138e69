import type { ContactCenter } from '../config/contact-center';
import type { AgentLiveState, ReserveAgentRequest, RoutingPolicy, ToneAssessment } from '../contracts';
import { liveStates } from '../contracts';
import type { AgentPool } from '../integrations/agent-pool-client';
import type { ToneJudge } from '../integrations/tone';

export interface RoutingActivityDeps {
  contactCenter: ContactCenter;
  agentPool: AgentPool;
  tone: ToneJudge;
}

export function createRoutingActivities(deps: RoutingActivityDeps) {
  return {
    /**
     * The routing configuration for this transfer. Returned from an activity so it is recorded in history:
     * a changed routing file affects new transfers only, and replays see what the original run saw.
     */
    async loadRoutingPolicy(): Promise<RoutingPolicy> {
      const { offices, callerRegions, departments, lines, agents } = deps.contactCenter;
      return { offices, callerRegions, departments, lines, agents };
    },

    /** The caller's tone from their own words; rule 5 asks for a senior agent when it is clearly angry. */
    async assessTone(input: { words?: string }): Promise<ToneAssessment> {
      return deps.tone.assess(input.words ?? '');
    },

    /** Agents' live state from the agent-pool workflow, as routing reads it. */
    async loadAgentStates(): Promise<Record<string, AgentLiveState>> {
      return liveStates(await deps.agentPool.snapshot());
    },

    /** Reserves the first agent of the ranked list that still has room (an Update on the agent pool). */
    async reserveAgent(request: ReserveAgentRequest): Promise<{ agentId: string | null }> {
      return deps.agentPool.reserve(request);
    },

    /** Frees whatever the transfer holds; idempotent, so it is safe as a compensation and on every outcome. */
    async releaseAgentReservation(input: { transferId: string }): Promise<{ released: string[] }> {
      return deps.agentPool.release(input.transferId);
    },
  };
}
