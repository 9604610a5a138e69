import type { RoutingPolicy } from '../contracts';
import type { RoutingStep } from './routing-state';
import { withReason } from './routing-state';

export const DEFAULT_OFFICE = 'us-east';

/** The office of a caller's number by `caller-regions`; +1 numbers split by area code. */
export function officeForNumber(number: string | undefined, regions: RoutingPolicy['callerRegions']): { office: string; why: string } | null {
  const digits = number?.match(/^\+(\d{4,15})$/)?.[1];
  if (!digits) return null;
  for (const length of [1, 2, 3]) {
    const code = digits.slice(0, length);
    const office = regions.countryCodes[code];
    if (!office) continue;
    if (code === '1') {
      const areaCode = digits.slice(1, 4);
      if (regions.usWestAreaCodes.includes(areaCode)) return { office: 'us-west', why: `area code ${areaCode} is a us-west area code` };
      return { office, why: `country code +1, area code ${areaCode} not on the us-west list` };
    }
    return { office, why: `country code +${code}` };
  }
  return null;
}

/** Rule 3. The customer's CRM office; else from the caller's number by caller-regions; else us-east. */
export const officeStep: RoutingStep = {
  name: 'office',
  apply(state) {
    const fromCrm = state.input.customer.office;
    if (fromCrm) return withReason(state, `Office ${fromCrm}: the customer's office in the CRM.`, { office: fromCrm });
    const fromNumber = officeForNumber(state.input.callerNumber, state.input.policy.callerRegions);
    if (fromNumber) return withReason(state, `Office ${fromNumber.office}: ${fromNumber.why}.`, { office: fromNumber.office });
    return withReason(state, `Office ${DEFAULT_OFFICE}: no CRM office and no listed region for the caller's number.`, { office: DEFAULT_OFFICE });
  },
};
