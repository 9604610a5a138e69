import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CustomerProfile } from './customer';
import type { AgentCriteria, WaitingEntry } from './floor';
import type { RoutingDecision, TransferTimings } from './transfer';

/**
 * A callback: the caller's place in line, kept for them after they hang up, and a call placed back to them
 * through Vapi's API when an agent is free for it. One workflow per call (`callbackWorkflowId`), so a callback
 * is never promised twice for one call, and the call back is placed exactly once per attempt.
 */
export const CALLBACK_WORKFLOW_TYPE = 'callback';

/** One callback per original call: asking twice finds the first. */
export function callbackWorkflowId(callId: string): string {
  return `callback:${callId}`;
}

/** The tool the assistant calls when the caller would rather be called back than wait (see `npm run vapi:provision`). */
export const CALLBACK_TOOL_NAME = 'request_callback';

/** What the assistant asks for (the `request_callback` tool's arguments). */
export interface CallbackAsk {
  /** Not before this time (ISO 8601): "call me after 3 pm". Absent: as soon as an agent is free. */
  notBefore?: string;
}

/** The answer the assistant speaks. */
export interface CallbackAnswer {
  promised: boolean;
  /** One line for the assistant to say (the promise and when, or why not). */
  message: string;
  callbackId?: string;
  /** When the call back is expected (ISO 8601), when promised. */
  expectedAt?: string;
}

/** Asked of a waiting transfer: take a callback instead of waiting on the line. */
export const requestCallbackUpdate = defineUpdate<CallbackAnswer, [CallbackAsk]>('requestCallback');

/** The callback workflow's input: everything it needs without the transfer that promised it. */
export interface CallbackInput {
  callbackId: string;
  /** The transfer whose place in line the callback takes. */
  transferId: string;
  /** The original call, and the assistant that answered it (the call back uses the same assistant). */
  callId: string;
  assistantId?: string;
  /** Personal data: where to call back (E.164). Encrypted in history by the payload codec like every payload. */
  customerNumber: string;
  customer: CustomerProfile;
  department: string;
  criteria: AgentCriteria;
  basePass: WaitingEntry['basePass'];
  priority: number;
  /** The place in line (epoch ms) the caller had: the callback keeps it. */
  joinedAt: number;
  /** Not offered an agent before this (epoch ms). */
  notBefore?: number;
  /** The decision as it stood when the callback was promised (mode, agent message, reasons). */
  decision: RoutingDecision;
  /** The CRM note of the transfer, moved along as the callback goes. */
  noteId: string | null;
  reason?: string;
  /** The department's policy: attempts in all, this far apart, within office hours. */
  attempts: number;
  spacingSeconds: number;
  /** What the assistant told the caller (kept in the callback's memo: asking again for this call gets it again). */
  promise?: Pick<CallbackAnswer, 'message' | 'expectedAt'>;
  /** How long the transfer to the agent may take to be confirmed by Vapi (the promising transfer's timings). */
  timings: TransferTimings;
  /**
   * Office hours are read at now + this (ms): the simulator's as-of time (`routeAt`, npm start's embedded mode
   * only), so a demo at another time of day places the call back when that time's offices open. Absent: now.
   */
  asOfOffsetMs?: number;
}

export type CallbackOutcome = 'transferred' | 'transfer-initiated' | 'unknown' | 'missed' | 'failed' | 'cancelled';

export interface CallbackResult {
  outcome: CallbackOutcome;
  /** Why, in words a supervisor reads (no personal data). */
  reason: string;
  /** Calls placed (one per attempt at most). */
  placed: number;
}

/** Where a callback stands, as the `TransferStage` search attribute says it. */
export const CALLBACK_STAGES = ['callback-waiting', 'callback-placing', 'callback-ringing', 'done'] as const;
export type CallbackStage = (typeof CALLBACK_STAGES)[number];

/**
 * Vapi's word on a call, for a callback: the API sends it every status-update, transfer-update and
 * end-of-call-report of the calls a callback placed (found by the call's tag and by `VapiCallId`), and the
 * callback keeps only those of the call it is waiting on. `status` is Vapi's (`ringing`, `in-progress`,
 * `forwarding`, `ended`); a transfer-update reads as `forwarding`.
 */
export interface CallbackCallEvent {
  callId: string;
  status: string;
  endedReason: string | null;
}

export const callbackCallEventSignal = defineSignal<[CallbackCallEvent]>('callbackCallEvent');

/** Where a callback stands: what operators and tests read (ids and outcomes only). */
export interface CallbackStatus {
  stage: CallbackStage;
  /** The attempt under way or last made (0: none yet). */
  attempt: number;
  agentId: string | null;
  /** Vapi's ids of the calls placed, in order. */
  placedCallIds: string[];
  outcome: CallbackOutcome | null;
  reason: string | null;
}

export const callbackStatusQuery = defineQuery<CallbackStatus>('callbackStatus');

/**
 * How the call placed for a callback is tagged in Vapi (`assistantOverrides.metadata`): Vapi's create-call body
 * has no metadata of its own, and this tag is what `GET /call` is searched for before placing again.
 */
export type CallbackCallTag = {
  switchboardCallbackId: string;
  attempt: number;
};

/** The callback a call placed by Switchboard belongs to, from the call object Vapi sends back (null: not one of ours). */
export function callbackTagOf(call: unknown): CallbackCallTag | null {
  const metadata = (call as { assistantOverrides?: { metadata?: Record<string, unknown> | null } | null } | null)?.assistantOverrides?.metadata;
  const id = metadata?.switchboardCallbackId;
  const attempt = metadata?.attempt;
  if (typeof id !== 'string' || !/^callback:[A-Za-z0-9._:%-]{1,200}$/.test(id)) return null;
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) return null;
  return { switchboardCallbackId: id, attempt };
}
