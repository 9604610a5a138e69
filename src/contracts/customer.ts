/** Who is calling, as the CRM knows them, and how urgent the assistant says it is. */

export const URGENCIES = ['low', 'medium', 'high', 'critical'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const CUSTOMER_TIERS = ['standard', 'premium', 'enterprise'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

/** What the CRM knows about the caller; anonymous callers get the defaults. */
export interface CustomerProfile {
  known: boolean;
  customerId: string | null;
  displayName: string | null;
  tier: CustomerTier;
  language: string | null;
  office: string | null;
  lastAgentId: string | null;
  escalations90d: number;
  /** Set when the CRM could not be reached and defaults were used instead. */
  degraded?: boolean;
}

/** Rule 2: callers the CRM does not know (or cannot be asked about) are anonymous: standard tier, no history. */
export const ANONYMOUS_CUSTOMER: Readonly<CustomerProfile> = Object.freeze({
  known: false,
  customerId: null,
  displayName: null,
  tier: 'standard',
  language: null,
  office: null,
  lastAgentId: null,
  escalations90d: 0,
});

/** The caller when the CRM could not be asked: anonymous, marked degraded so routing's reasons say why. */
export const CRM_UNREACHABLE_CUSTOMER: Readonly<CustomerProfile> = Object.freeze({ ...ANONYMOUS_CUSTOMER, degraded: true });
