import type { RoutingStep } from './routing-state';
import { withReason } from './routing-state';

/** Rule 4. The customer's CRM language; else English. */
export const languageStep: RoutingStep = {
  name: 'language',
  apply(state) {
    const language = state.input.customer.language;
    if (language) return withReason(state, `Language ${language}: from the CRM.`, { language });
    return withReason(state, 'Language en: the default.', { language: 'en' });
  },
};
