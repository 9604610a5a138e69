import type { Relaxation } from '../contracts';
import { balanceLoad } from './load-balancing';
import { pickKnownAgent } from './known-agent';
import { describePass, qualify } from './qualified-agents';
import type { RoutingState, RoutingStep } from './routing-state';
import { withReason } from './routing-state';

const PASSES: { pass: Relaxation; requireSenior: boolean; requireLanguage: boolean }[] = [
  { pass: 'seniority', requireSenior: false, requireLanguage: true },
  { pass: 'language', requireSenior: false, requireLanguage: false },
];

/**
 * Rule 11's relaxations: no agent qualified, so drop the seniority requirement and run rules 8-10 again, then
 * also drop the language. Each relaxation is a reason of its own. The floor runs this against its own state.
 */
export function relaxRequirements(initial: RoutingState): RoutingState {
  let state: RoutingState = initial;
  for (const next of PASSES) {
    if (state.decided) return state;
    // A pass that would require exactly what the previous one did cannot find anyone new.
    if (next.pass === 'seniority' && !state.seniorRequired) continue;
    state = withReason(state, `Relaxing: ${describePass({ pass: next.pass })}.`, { ...next });
    state = pickKnownAgent(qualify(state));
    if (!state.decided) state = balanceLoad(state);
  }
  return state;
}

/** Rule 11. Relax (see {@link relaxRequirements}); if still no one, the department's line, keeping the mode. */
export const relaxationStep: RoutingStep = {
  name: 'relaxation',
  apply(initial) {
    const state = relaxRequirements(initial);
    if (state.decided) return state;
    const line = state.department!.line;
    return withReason(state, `No agent available: ${state.department!.id} line, keeping ${state.mode}.`, {
      pass: 'line',
      decided: { agentId: null, destination: line, decidedBy: 'relaxation', label: `${state.department!.id} line` },
    });
  },
};
