import type { ContactCenter } from '../config/contact-center';
import { routingPolicyOf, routingRulesOf } from '../config/contact-center';
import type { Activities, CallDestination, ReserveAgentResult } from '../contracts';
import type { FloorClient } from '../integrations/floor-client';
import type { ToneJudge } from '../integrations/tone';
import { localTime } from '../routing/local-time';
import { nextOpening } from '../routing/office-hours';

export interface RoutingActivityDeps {
  contactCenter: ContactCenter;
  floor: FloorClient;
  tone: ToneJudge;
  now?: () => Date;
}

type RoutingActivities = Pick<
  Activities,
  'loadRoutingRules' | 'assessTone' | 'reserveAgent' | 'agentDestination' | 'joinLine' | 'officeWindow' | 'releaseAgent' | 'agentConnected' | 'loadRoutingPolicy' | 'loadAgentStates'
>;

/**
 * What routing reads and the reservation it makes. All run as local activities inside the transfer's first
 * workflow task, so each is short and safe to run again: reads, and a reservation keyed by the transfer.
 */
export function createRoutingActivities(deps: RoutingActivityDeps): RoutingActivities {
  const center = deps.contactCenter;
  const rules = routingRulesOf(center);
  const destinations = new Map<string, CallDestination>(center.agents.map((agent) => [agent.id, agent.destination]));
  const now = deps.now ?? (() => new Date());

  return {
    /**
     * The rules of the routing file (no agents: the floor holds them), its version, and every office's local
     * time at the as-of time. Recorded in history: a changed file affects new transfers only, a replay sees
     * what the original run saw, and office hours never depend on the replaying worker's time-zone data.
     */
    async loadRoutingRules(input) {
      const at = input.routeAt ? new Date(input.routeAt) : now();
      const clocks = Object.fromEntries(center.offices.map((office) => {
        const { date, weekday, minutes, display } = localTime(at, office.timezone);
        return [office.id, { date, weekday, minutes, display }];
      }));
      return { version: center.version, rules, at: at.toISOString(), clocks };
    },

    /** The caller's tone from their own words; rule 5 asks for a senior agent when it is clearly angry. */
    async assessTone(input) {
      return deps.tone.assess(input.words ?? '');
    },

    /**
     * Rules 8-11 on the floor, which reserves the agent they choose in the same step; the answer gains where
     * that agent (and the next one) are reached. A 1.0 transfer sends its own ranking and gets the first agent
     * of it with room.
     */
    async reserveAgent(input): Promise<ReserveAgentResult> {
      if ('candidates' in input) {
        const reply = await deps.floor.reserve({ type: 'reserve-listed', transferId: input.transferId, candidates: input.candidates.map((candidate) => candidate.agentId), ttlSeconds: input.ttlSeconds });
        return { agentId: reply.agentId };
      }
      const reservation = await deps.floor.reserve({
        type: 'reserve',
        transferId: input.transferId,
        criteria: input.criteria,
        ttlSeconds: input.ttlSeconds,
        ...(input.line ? { line: input.line } : {}),
      });
      const reached = [reservation.agentId, reservation.next].filter((id): id is string => id !== null && destinations.has(id));
      return { agentId: reservation.agentId, reservation, destinations: Object.fromEntries(reached.map((id) => [id, destinations.get(id)!])) };
    },

    /** A callback takes over a waiting caller's place in line (or takes one back after an unanswered attempt). */
    async joinLine(input) {
      const reply = await deps.floor.command({ type: 'join-line', ...input });
      if (reply.type !== 'in-line') throw new Error(`the floor answered join-line with ${reply.type}`);
      return reply.place;
    },

    /** Office hours for a callback: open at `at`, or when next. */
    async officeWindow(input) {
      const offices = center.offices.filter((office) => input.offices.includes(office.id));
      const { open, nextOpenAt } = nextOpening(offices.length > 0 ? offices : center.offices, new Date(input.at));
      return { open, nextOpenAt: nextOpenAt ? nextOpenAt.toISOString() : null };
    },

    /** Where an agent is reached: the floor gave a waiting caller this agent, the transfer needs the way there. */
    async agentDestination(input) {
      return destinations.get(input.agentId) ?? null;
    },

    /** Frees what the transfer holds; idempotent, so it serves as compensation and on every outcome. */
    async releaseAgent(input) {
      await deps.floor.notify({ type: 'release', transferId: input.transferId, ...(input.agentId ? { agentId: input.agentId } : {}) });
    },

    /** The call reached the agent: busy until marked ready, or until the department's after-call time. */
    async agentConnected(input) {
      await deps.floor.notify({ type: 'connected', transferId: input.transferId, agentId: input.agentId, department: input.department });
    },

    /** 1.0 transfers recorded the whole routing file. */
    async loadRoutingPolicy() {
      return routingPolicyOf(center);
    },

    /** 1.0 transfers read every agent's live state. */
    async loadAgentStates() {
      return (await deps.floor.liveStates()).agents;
    },
  };
}
