import type { RoutingStep } from './routing-state';
import { withReason } from './routing-state';

/** Rule 5. A senior agent is required for critical urgency, an angry caller, or two or more escalations in 90 days. */
export const seniorityStep: RoutingStep = {
  name: 'seniority',
  apply(state) {
    const why: string[] = [];
    if (state.input.urgency === 'critical') why.push('urgency is critical');
    if (state.input.tone.angry) why.push(`the caller sounds angry (tone ${state.input.tone.score.toFixed(1)})`);
    if (state.input.customer.escalations90d >= 2) why.push(`${state.input.customer.escalations90d} escalations in 90 days`);
    if (why.length === 0) return withReason(state, 'No senior agent required.', { seniorRequired: false, requireSenior: false });
    return withReason(state, `Senior agent required: ${why.join(', ')}.`, { seniorRequired: true, requireSenior: true });
  },
};
