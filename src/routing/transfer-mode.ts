import type { TransferPlanMode } from '../contracts';
import type { RoutingStep } from './routing-state';
import { withReason } from './routing-state';

/**
 * Rule 6: the mode the routing file's `transfer-modes` gives the customer's tier (by default enterprise: warm
 * with a summary; premium: warm with a message; standard: blind, unless a senior is required, then warm with
 * a message). Rule 1's general line is blind and was decided before this step.
 */
export const transferModeStep: RoutingStep = {
  name: 'transfer-mode',
  apply(state) {
    const modes = state.input.policy.transferModes;
    const tier = state.input.customer.tier;
    let mode: TransferPlanMode;
    let why: string;
    if (tier === 'enterprise') [mode, why] = [modes.enterprise, 'enterprise customer'];
    else if (tier === 'premium') [mode, why] = [modes.premium, 'premium customer'];
    else if (state.seniorRequired) [mode, why] = [modes['standard-needs-senior'], 'standard customer who needs a senior agent'];
    else [mode, why] = [modes.standard, 'standard customer'];
    return withReason(state, `Mode ${mode}: ${why}.`, { mode });
  },
};
