import type { TransferPlanMode } from '../contracts';
import type { RoutingStep } from './routing-state';
import { withReason } from './routing-state';

/**
 * Rule 6. Enterprise: warm with a summary; premium: warm with a message; standard: blind, unless a senior is
 * required, then warm with a message. (Rule 1's general line is blind and was decided before this step.)
 */
export const transferModeStep: RoutingStep = {
  name: 'transfer-mode',
  apply(state) {
    const tier = state.input.customer.tier;
    let mode: TransferPlanMode;
    let why: string;
    if (tier === 'enterprise') [mode, why] = ['warm-transfer-say-summary', 'enterprise customer'];
    else if (tier === 'premium') [mode, why] = ['warm-transfer-say-message', 'premium customer'];
    else if (state.seniorRequired) [mode, why] = ['warm-transfer-say-message', 'standard customer who needs a senior agent'];
    else [mode, why] = ['blind-transfer', 'standard customer'];
    return withReason(state, `Mode ${mode}: ${why}.`, { mode });
  },
};
