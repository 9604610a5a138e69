/**
 * Transfer destinations and plans as Switchboard sends them to Vapi. Plain types, safe to import from
 * workflow code; the zod schemas that validate them live in `src/vapi/destinations.ts`.
 */

/** The eight `transferPlan.mode` values Vapi accepts (OAS `TransferPlan.mode`). */
export const TRANSFER_PLAN_MODES = [
  'blind-transfer',
  'blind-transfer-add-summary-to-sip-header',
  'warm-transfer-say-message',
  'warm-transfer-say-summary',
  'warm-transfer-twiml',
  'warm-transfer-wait-for-operator-to-speak-first-and-then-say-message',
  'warm-transfer-wait-for-operator-to-speak-first-and-then-say-summary',
  'warm-transfer-experimental',
] as const;
export type TransferPlanMode = (typeof TRANSFER_PLAN_MODES)[number];

/** Vapi's `CustomMessage`: a message with an explicit type, used where plain text is also accepted. */
export interface CustomMessage {
  type: 'custom-message';
  content: string;
}

export interface SummaryPlan {
  enabled?: boolean;
  /** Prompt messages; `{{transcript}}` and friends are filled in by Vapi. */
  messages?: { role: 'system' | 'user' | 'assistant'; content: string }[];
  timeoutSeconds?: number;
}

export interface TransferFallbackPlan {
  message: string | CustomMessage;
  endCallEnabled?: boolean;
}

/** Vapi `TransferPlan`, the fields Switchboard may send. */
export interface TransferPlan {
  mode: TransferPlanMode;
  /** Spoken to the receiving agent in the say-message modes. */
  message?: string | CustomMessage;
  /** wait-for-operator modes: seconds, 1-600. */
  timeout?: number;
  /** SIP: `refer` (default), `bye` (ends Vapi's leg without dialling) or `dial`. */
  sipVerb?: 'refer' | 'bye' | 'dial';
  dialTimeout?: number;
  twiml?: string;
  summaryPlan?: SummaryPlan;
  sipHeadersInReferToEnabled?: boolean;
  fallbackPlan?: TransferFallbackPlan;
}

export interface NumberDestination {
  type: 'number';
  /** E.164, unless `numberE164CheckEnabled` is false. */
  number: string;
  numberE164CheckEnabled?: boolean;
  extension?: string;
  callerId?: string;
  /** Spoken to the caller before dialling; `""` keeps Vapi silent instead of its default sentence. */
  message?: string;
  transferPlan?: TransferPlan;
}

export interface SipDestination {
  type: 'sip';
  sipUri: string;
  sipHeaders?: Record<string, string>;
  /** Only honoured with `transferPlan.sipVerb: "dial"`. */
  callerId?: string;
  message?: string;
  transferPlan?: TransferPlan;
}

/** Destinations a controlUrl `transfer` accepts: Vapi refuses `assistant` there. */
export type CallDestination = NumberDestination | SipDestination;
