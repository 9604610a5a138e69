import type { CallEvent } from './call-events';
import type { CallDestination, TransferPlanMode } from './destinations';
import type { FallbackTarget, RoutingTrace } from './routing';

/** The task queue transfer workflows and their activities run on, unless configured otherwise. */
export const TRANSFER_TASK_QUEUE = 'switchboard-transfers';

/** The workflow type name, as registered by the worker and started by the API. */
export const TRANSFER_WORKFLOW_TYPE = 'transferCall';

export const URGENCIES = ['low', 'medium', 'high', 'critical'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const CUSTOMER_TIERS = ['standard', 'premium', 'enterprise'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

/**
 * One transfer request: what the webhook learned from a Vapi `tool-calls` message. This is the workflow's
 * input and is recorded in history, so it holds only what the steps need.
 */
export interface TransferRequest {
  callId: string;
  toolCallId: string;
  /**
   * The call's Live Call Control URL, already checked against the allow-list by the API. A capability: never
   * log it. Absent only on the destination-request path, where Vapi executes the transfer itself.
   */
  controlUrl?: string;
  /** When the webhook accepted the request (ISO 8601). */
  receivedAt: string;
  /** Tool arguments as the assistant gave them; all optional, routing copes with their absence. */
  department?: string;
  reason?: string;
  urgency: Urgency;
  customerId?: string;
  /** Personal data: the caller's number (E.164) and the caller's own words, for CRM lookup and summaries. */
  callerNumber?: string;
  callerWords?: string;
  /**
   * `control-url`: Switchboard POSTs the transfer to `controlUrl`. `destination-request`: Vapi asked for a
   * destination (`transfer-destination-request`) and executes the transfer itself; the decision is returned
   * through {@link decideDestinationUpdate} and nothing is POSTed.
   */
  mode: 'control-url' | 'destination-request';
  /** How long to wait for Vapi to report the transfer's outcome before recording it as unconfirmed (TRANSFER_OUTCOME_TIMEOUT_SECONDS). */
  outcomeTimeoutSeconds: number;
  /** After this long without a report, ask Vapi whether the caller is still with the assistant (TRANSFER_FALLBACK_CHECK_SECONDS). */
  fallbackCheckSeconds: number;
  /** Set on an operator's retry: the run id of the failed run this one repeats. */
  retryOf?: string;
}

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

/** Where the call goes and why. Reasons are meant for a supervisor to read. */
export interface RoutingDecision {
  department: string | null;
  /** The agent reserved for this call, or null when a line was chosen. */
  agentId: string | null;
  destination: CallDestination;
  mode: TransferPlanMode;
  reasons: string[];
  /** The routing step that made the final choice. */
  decidedBy: string;
  /** Said to the receiving agent in warm modes: who is calling, the department and the reason. */
  agentMessage: string;
  /** The full account: every candidate agent and why it was or was not chosen. */
  trace: RoutingTrace;
  /** Where to go next if this destination does not connect: remaining agents, then lines. */
  fallbacks: FallbackTarget[];
}

/**
 * The named steps of a transfer. The routing inputs, the reservation, the summary and the release are local
 * activities (markers in the history, run inside the workflow task); the rest are activities.
 */
export const TRANSFER_STEPS = [
  'loadRoutingPolicy',
  'assessTone',
  'enrichCustomer',
  'loadAgentStates',
  'reserveAgent',
  'postSummary',
  'executeTransfer',
  'checkCallState',
  'releaseAgent',
  'markSummaryNotTransferred',
  'sayToCaller',
] as const;
export type TransferStepName = (typeof TRANSFER_STEPS)[number];

export interface StepRecord {
  name: TransferStepName;
  status: 'running' | 'completed' | 'failed' | 'compensated';
  startedAt: string;
  finishedAt?: string;
  /** A short, data-free description of what went wrong. */
  error?: string;
}

export type TransferStage =
  | 'received'
  | 'enriching'
  | 'routing'
  | 'summarizing'
  | 'transferring'
  | 'awaiting-outcome'
  | 'compensating'
  | 'completed'
  | 'failed'
  | 'cancelled';

/**
 * - `transferred`: Vapi reported the call forwarded (`status-update` forwarding, or ended with
 *   `assistant-forwarded-call`);
 * - `transfer-initiated`: Vapi accepted the transfer but reported nothing more before the outcome timeout;
 * - `not-connected`: Vapi reported the transfer failed (no answer, busy, transfer error);
 * - `caller-hung-up`: the caller left before the transfer was made;
 * - `unknown`: the transfer request went out, no answer came back and Vapi reported nothing: it is not resent;
 * - `failed`: Switchboard could not make the transfer; `cancelled`: an operator cancelled it.
 */
export type TransferOutcome =
  | 'transferred'
  | 'transfer-initiated'
  | 'not-connected'
  | 'caller-hung-up'
  | 'unknown'
  | 'failed'
  | 'cancelled';

/** The answer of {@link transferStatusQuery}. */
export interface TransferStatus {
  callId: string;
  toolCallId: string;
  stage: TransferStage;
  steps: StepRecord[];
  decision: RoutingDecision | null;
  outcome: TransferOutcome | null;
  failure: { type: string; message: string } | null;
  /** What Vapi reported about the call, in arrival order (at most the last 20). */
  callEvents: CallEvent[];
}

export interface TransferResult {
  outcome: TransferOutcome;
  decision: RoutingDecision | null;
}

const DEPARTMENT_LABEL = /^[a-z][a-z -]{0,29}$/;

/** A one-line, data-free label for the Web UI; free text from the model never reaches it. */
export function transferSummary(request: Pick<TransferRequest, 'department' | 'urgency'>): string {
  const department = request.department?.toLowerCase();
  const label = department && DEPARTMENT_LABEL.test(department) ? department : 'department from reason';
  return `Transfer: ${label}, ${request.urgency} urgency`;
}

/** `%` and `:` only, so the usual ids (UUIDs, `call_…`) read as they are, and the two parts split unambiguously. */
function encodeIdPart(part: string): string {
  return part.replace(/[%:]/g, (char) => (char === '%' ? '%25' : '%3A'));
}

/**
 * One workflow per tool call: a repeated webhook delivery maps onto the same id and never transfers twice.
 * `transfer:<callId>:<toolCallId>` with `%` and `:` percent-encoded in each part, so no two (call, tool call)
 * pairs share an id. (1.0 used `transfer-<callId>-<toolCallId>`, where (X-x1, call_b) and (X, x1-call_b)
 * collided; workflows recorded under such ids are still found by id and by VapiCallId.)
 */
export function transferWorkflowId(callId: string, toolCallId: string): string {
  return `transfer:${encodeIdPart(callId)}:${encodeIdPart(toolCallId)}`;
}
