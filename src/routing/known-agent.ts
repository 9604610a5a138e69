import type { RoutingState, RoutingStep } from './routing-state';
import { withReason } from './routing-state';
import { markPicked } from './load-balancing';

/** Rule 9. The customer's last agent, when qualified, takes the call. */
export function pickKnownAgent(state: RoutingState): RoutingState {
  const last = state.input.customer.lastAgentId;
  if (!last || state.qualified.length === 0) return state;
  if (!state.qualified.includes(last)) return withReason(state, `Last agent ${last} does not qualify now.`);
  const others = state.qualified.filter((id) => id !== last);
  return withReason(markPicked(state, last), `Known agent: ${last} helped this customer last time.`, {
    ranked: [last, ...others],
    decided: { agentId: last, destination: null, decidedBy: 'known-agent', label: `agent ${last}` },
  });
}

export const knownAgentStep: RoutingStep = {
  name: 'known-agent',
  apply: (state) => (state.decided ? state : pickKnownAgent(state)),
};
