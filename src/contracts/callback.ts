import { defineUpdate } from '@temporalio/workflow';
import type { CustomerProfile } from './customer';
import type { AgentCriteria, WaitingEntry } from './floor';
import type { RoutingDecision } from './transfer';

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
}

export type CallbackOutcome = 'transferred' | 'transfer-initiated' | 'unknown' | 'missed' | 'failed' | 'cancelled';
