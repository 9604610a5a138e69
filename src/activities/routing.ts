import { Context } from '@temporalio/activity';
import type { ContactCenter } from '../config/contact-center';
import type { AgentLiveState, AgentPoolState, ReserveAgentRequest, RoutingPolicy, ToneAssessment } from '../contracts';
import { liveStates } from '../contracts';
import type { AgentPool } from '../integrations/agent-pool-client';
import type { ToneJudge } from '../integrations/tone';

export interface RoutingActivityDeps {
  contactCenter: ContactCenter;
  agentPool: AgentPool;
  tone: ToneJudge;
  /** How old a view of agents' live state routing may reuse (default {@link AGENT_STATE_MAX_AGE_MS}). */
  agentStateMaxAgeMs?: number;
  /** How long routing waits for it (default {@link AGENT_STATE_DEADLINE_MS}). */
  agentStateDeadlineMs?: number;
}

/** Routing may decide on a view of agents' live state this old; see {@link sharedReader}. */
export const AGENT_STATE_MAX_AGE_MS = 250;

/**
 * How long routing waits for agents' live state before deciding without it. A query to the pool stalls
 * while the worker that last ran the pool is gone (its sticky queue still looks alive to the server for a
 * few seconds): `npm run chaos` (a) saw three transfers fail that way when a worker was killed.
 */
export const AGENT_STATE_DEADLINE_MS = 2_000;

/**
 * Shares one read among the transfers a worker routes at the same moment: at most one read in flight, and
 * an answer younger than `maxAgeMs` is reused. The agent pool is a single workflow; the server buffers only
 * one query per workflow while it is busy, so one query per transfer fails ("query buffer is full") under
 * load and each costs a round trip to the worker. A slightly older view is safe: `reserveAgent` re-checks
 * capacity inside the pool, one update at a time, and falls through to the next ranked agent. A read that
 * takes longer than `timeoutMs` fails its callers and is not shared any further.
 */
export function sharedReader<T>(
  read: () => Promise<T>,
  options: { maxAgeMs: number; timeoutMs: number; now?: () => number },
): () => Promise<T> {
  const now = options.now ?? Date.now;
  let cached: { value: T; at: number } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (cached && now() - cached.at <= options.maxAgeMs) return Promise.resolve(cached.value);
    if (!inFlight) {
      const startedAt = now();
      let timer: NodeJS.Timeout | undefined;
      const current: Promise<T> = Promise.race([
        read().then((value) => {
          // Aged from when the read began: it reflects the pool no later than that.
          cached = { value, at: startedAt };
          return value;
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
        }),
      ]).finally(() => {
        clearTimeout(timer);
        if (inFlight === current) inFlight = undefined;
      });
      inFlight = current;
    }
    return inFlight;
  };
}

export function createRoutingActivities(deps: RoutingActivityDeps) {
  const poolSnapshot: () => Promise<AgentPoolState> = sharedReader(() => deps.agentPool.snapshot(), {
    maxAgeMs: deps.agentStateMaxAgeMs ?? AGENT_STATE_MAX_AGE_MS,
    timeoutMs: deps.agentStateDeadlineMs ?? AGENT_STATE_DEADLINE_MS,
  });
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

    /**
     * Agents' live state from the agent-pool workflow, as routing reads it. When the pool cannot answer in
     * time, routing goes on without it (every agent counted available and idle): the reservation that
     * follows is an Update checked inside the pool, so nobody is booked beyond capacity either way.
     */
    async loadAgentStates(): Promise<Record<string, AgentLiveState>> {
      try {
        return liveStates(await poolSnapshot());
      } catch (error) {
        Context.current().log.warn('agent states unavailable; routing without them', { error: error instanceof Error ? error.message : String(error) });
        return {};
      }
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
