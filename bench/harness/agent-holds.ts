/**
 * Over-booking, judged from records rather than from the code that is supposed to prevent it: a list of holds
 * (which transfer held which agent, from when to when) against each agent's capacity. Where the holds come
 * from is an adapter's business (transfer-holds.ts reads today's transfer histories); the check is the same.
 */

/** One transfer holding one agent over [from, to): epoch milliseconds, `to` exclusive. */
export interface AgentHold {
  agentId: string;
  transferId: string;
  from: number;
  to: number;
}

export interface AgentPeak {
  agentId: string;
  maxConcurrent: number;
  /** Most holds at one instant. */
  peak: number;
  /** When the peak was first reached (epoch ms). */
  at: number;
  /** The transfers holding the agent then. */
  transferIds: string[];
}

export interface OverbookingReport {
  holds: number;
  agentsHeld: number;
  /** Holds of zero or negative length: the records prove no instant at which they held the agent. */
  emptyHolds: number;
  /** Agents held beyond their maxConcurrent at some instant: any is a failure. */
  overbooked: AgentPeak[];
  /** Held agents the capacity list does not know: their capacity cannot be judged (also a failure). */
  unknownAgents: string[];
  /** The agents closest to their capacity (peak / maxConcurrent), a few, to show how close the run came. */
  busiest: AgentPeak[];
}

/** The most holds of one agent at any instant: a sweep over starts and ends, an end before a start at the same instant. */
export function peakOf(holds: readonly AgentHold[]): { peak: number; at: number; transferIds: string[] } {
  const edges = holds.flatMap((hold) => [
    { at: hold.from, delta: 1, transferId: hold.transferId },
    { at: hold.to, delta: -1, transferId: hold.transferId },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const holding = new Map<string, number>();
  let current = 0;
  let best = { peak: 0, at: Number.NaN, transferIds: [] as string[] };
  for (const edge of edges) {
    current += edge.delta;
    holding.set(edge.transferId, (holding.get(edge.transferId) ?? 0) + edge.delta);
    if (holding.get(edge.transferId) === 0) holding.delete(edge.transferId);
    if (current > best.peak) best = { peak: current, at: edge.at, transferIds: [...holding.keys()].sort() };
  }
  return best;
}

export function checkOverbooking(holds: readonly AgentHold[], maxConcurrent: ReadonlyMap<string, number>, options: { busiest?: number } = {}): OverbookingReport {
  const byAgent = new Map<string, AgentHold[]>();
  let emptyHolds = 0;
  for (const hold of holds) {
    if (!(hold.to > hold.from)) {
      emptyHolds += 1;
      continue;
    }
    const list = byAgent.get(hold.agentId) ?? [];
    list.push(hold);
    byAgent.set(hold.agentId, list);
  }
  const peaks: AgentPeak[] = [];
  const unknownAgents: string[] = [];
  for (const [agentId, agentHolds] of byAgent) {
    const capacity = maxConcurrent.get(agentId);
    if (capacity === undefined) {
      unknownAgents.push(agentId);
      continue;
    }
    peaks.push({ agentId, maxConcurrent: capacity, ...peakOf(agentHolds) });
  }
  const load = (peak: AgentPeak) => peak.peak / peak.maxConcurrent;
  return {
    holds: holds.length,
    agentsHeld: byAgent.size,
    emptyHolds,
    overbooked: peaks.filter((peak) => peak.peak > peak.maxConcurrent).sort((a, b) => a.agentId.localeCompare(b.agentId)),
    unknownAgents: unknownAgents.sort(),
    busiest: [...peaks].sort((a, b) => load(b) - load(a) || b.peak - a.peak || a.agentId.localeCompare(b.agentId)).slice(0, options.busiest ?? 5),
  };
}
