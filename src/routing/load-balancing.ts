import type { RoutingState, RoutingStep } from './routing-state';
import { withReason } from './routing-state';

/** Fewest active transfers first; then idle longest (never assigned counts as idle longest); then agent id. */
export function rankByLoad(state: RoutingState, agentIds: readonly string[]): string[] {
  const live = (id: string) => state.input.agents[id] ?? { status: 'available' as const, activeTransfers: 0, lastAssignedAt: null };
  const idleSince = (id: string) => {
    const last = live(id).lastAssignedAt;
    return last === null ? Number.NEGATIVE_INFINITY : Date.parse(last);
  };
  return [...agentIds].sort(
    (a, b) => live(a).activeTransfers - live(b).activeTransfers || idleSince(a) - idleSince(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
}

export function markPicked(state: RoutingState, agentId: string): RoutingState {
  return {
    ...state,
    candidates: state.candidates.map((trace) =>
      trace.agentId === agentId && trace.pass === state.pass ? { ...trace, verdict: 'picked' as const } : trace,
    ),
  };
}

/** Rule 10. Otherwise the least loaded qualified agent. */
export function balanceLoad(state: RoutingState): RoutingState {
  if (state.qualified.length === 0) return state;
  const ranked = rankByLoad(state, state.qualified);
  const pick = ranked[0]!;
  const live = state.input.agents[pick];
  const detail = `${live?.activeTransfers ?? 0} active, ${live?.lastAssignedAt ? `last assigned ${live.lastAssignedAt}` : 'never assigned'}`;
  return withReason(markPicked(state, pick), `Load balancing: ${pick} (${detail}).`, {
    ranked,
    decided: { agentId: pick, destination: null, decidedBy: 'load-balancing', label: `agent ${pick}` },
  });
}

export const loadBalancingStep: RoutingStep = {
  name: 'load-balancing',
  apply: (state) => (state.decided ? state : balanceLoad(state)),
};
