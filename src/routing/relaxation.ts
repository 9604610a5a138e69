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

/** The agent passes in the order rules 8-11 try them: all requirements, then seniority dropped, then language. */
export const AGENT_PASSES = ['none', 'seniority', 'language'] as const;
export type AgentPass = (typeof AGENT_PASSES)[number];

/**
 * Rules 8-10 in one pass: the requirements of `pass` (seniority dropped from `seniority` on, language too at
 * `language`), then the known agent, then load balancing. The pass is a reason of its own when it relaxes.
 */
export function applyPass(initial: RoutingState, pass: AgentPass): RoutingState {
  let state = initial;
  if (pass !== 'none') {
    const flags = PASSES.find((candidate) => candidate.pass === pass)!;
    state = withReason(state, `Relaxing: ${describePass({ pass })}.`, { ...flags });
  }
  state = pickKnownAgent(qualify(state));
  return state.decided ? state : balanceLoad(state);
}

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
