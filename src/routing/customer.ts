import type { RoutingStep } from './routing-state';
import { withReason } from './routing-state';

/** Rule 2. The CRM lookup itself is an activity; this step records what it found. Unknown callers are anonymous. */
export const customerStep: RoutingStep = {
  name: 'customer',
  apply(state) {
    const customer = state.input.customer;
    if (customer.degraded) return withReason(state, 'CRM unreachable: treated as an anonymous standard caller.');
    if (!customer.known) return withReason(state, 'Caller not in the CRM: anonymous, standard tier, no history.');
    return withReason(state, `Known customer ${customer.customerId}, ${customer.tier} tier.`);
  },
};
