import type { CallEvent } from './call-events';
import type { CallDestination, TransferPlanMode } from './destinations';
import type { CustomerProfile, Urgency } from './customer';
import type { LinePlace } from './floor';
import type { FallbackTarget, RoutingTrace } from './routing';

/** The task queue transfer workflows and their activities run on, unless configured otherwise. */
export const TRANSFER_TASK_QUEUE = 'switchboard-transfers';

/** No transfer run lasts longer: a backstop against one stuck by a bug or a worker pool gone for hours. */
export const TRANSFER_RUN_TIMEOUT = '2 hours';

/** The workflow type name, as registered by the worker and started by the API. */
export const TRANSFER_WORKFLOW_TYPE = 'transferCall';

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
  /**
   * How long a warm transfer may ring before its silence means the caller is back with the assistant
   * (TRANSFER_WARM_DIAL_SECONDS; absent in 1.0 requests: {@link DEFAULT_WARM_DIAL_SECONDS}). A blind transfer's
   * is `fallbackCheckSeconds`. A transfer plan's own timeout, when it sets one, wins.
   */
  warmDialSeconds?: number;
  /**
   * `destination-request` only: when the API stops waiting for the decision and tells Vapi there is none
   * (ISO 8601). Past it, the transfer abandons: Vapi will not transfer.
   */
  answerBy?: string;
  /**
   * The as-of time routing uses instead of now (ISO 8601); set only by the simulator in embedded mode
   * (`npm run simulate -- --at …`, header `x-switchboard-route-at`), so a demo can be tried at office hours.
   */
  routeAt?: string;
  /**
   * Whether a caller waiting in line may be offered a callback: the API sets it when VAPI_API_KEY and
   * VAPI_PHONE_NUMBER_ID are configured (the department's line must offer them too).
   */
  callbacks?: boolean;
  /** The assistant that answered the call (`call.assistantId`): a call back uses the same one. */
  assistantId?: string;
}

/** The request header in which the simulator asks for an as-of time; only `npm start`'s embedded mode honours it. */
export const ROUTE_AT_HEADER = 'x-switchboard-route-at';

/** How long a transfer waits for Vapi at each point: set by configuration, carried in every request. */
export type TransferTimings = Pick<TransferRequest, 'outcomeTimeoutSeconds' | 'fallbackCheckSeconds' | 'warmDialSeconds'>;

/** A warm transfer rings this long, at most, unless the transfer plan or TRANSFER_WARM_DIAL_SECONDS says otherwise. */
export const DEFAULT_WARM_DIAL_SECONDS = 60;

/** Where the call goes and why. Reasons are meant for a supervisor to read. */
export interface RoutingDecision {
  department: string | null;
  /** The agent reserved for this call, or null when a line was chosen. */
  agentId: string | null;
  destination: CallDestination;
  /** Where the call goes, in words: "agent a-17", "billing line", "after-hours voicemail" (absent in 1.0 decisions). */
  label?: string;
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
  /**
   * Every qualified agent was busy: the caller waits in the department's line from this place (the decision
   * "waits in line"; `destination` is where they go should they wait too long). Absent once an agent is found.
   */
  queued?: LinePlace;
}

/**
 * The named steps of a transfer. The routing inputs, the reservation, the summary and the release are local
 * activities (markers in the history, run inside the workflow task); the rest are activities.
 */
export const TRANSFER_STEPS = [
  'loadRoutingRules',
  'loadRoutingPolicy',
  'assessTone',
  'enrichCustomer',
  'loadAgentStates',
  'reserveAgent',
  'postSummary',
  'executeTransfer',
  'checkCallState',
  'releaseAgent',
  'agentConnected',
  'markSummary',
  'markSummaryNotTransferred',
  'sayToCaller',
  'tellAssistant',
  'agentDestination',
  'joinLine',
  'officeWindow',
  'promiseCallback',
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
  | 'waiting'
  | 'transferring'
  | 'resolving-doubt'
  | 'awaiting-outcome'
  | 'compensating'
  | 'completed'
  | 'failed'
  | 'cancelled';

/**
 * How a transfer ended:
 * - `transferred`: Vapi reported the call forwarded (`status-update` forwarding, or ended with
 *   `assistant-forwarded-call`), or its API said so;
 * - `transfer-initiated`: Vapi accepted the transfer but reported nothing more before the outcome timeout;
 * - `not-connected`: the destination did not connect and the fallback chain ran out (the caller was told);
 * - `caller-hung-up`: the caller left before the transfer was made;
 * - `unknown`: a transfer request may have reached Vapi and nothing, not even Vapi's API, could say whether it
 *   did: nothing was undone and nothing was sent again;
 * - `deadline-missed`: a transfer-destination-request was decided after the API had told Vapi there was none;
 * - `failed`: Switchboard could not make the transfer, and nothing can have reached Vapi; `cancelled`: an
 *   operator cancelled it before anything was sent.
 */
export const TRANSFER_OUTCOMES = [
  'transferred',
  'transfer-initiated',
  'not-connected',
  'caller-hung-up',
  'unknown',
  'deadline-missed',
  'abandoned',
  'callback-promised',
  'failed',
  'cancelled',
] as const;
export type TransferOutcome = (typeof TRANSFER_OUTCOMES)[number];

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

/**
 * How long Vapi may take to connect a transfer to `destination`: before then, its silence proves nothing (a warm
 * transfer may still be ringing). Blind transfers: `fallbackCheckSeconds`; warm ones: the plan's own dial
 * timeout, else `warmDialSeconds`.
 */
export function dialWindowSeconds(destination: CallDestination, request: Pick<TransferRequest, 'fallbackCheckSeconds' | 'warmDialSeconds'>): number {
  const plan = destination.transferPlan;
  if (!plan || plan.mode.startsWith('blind')) return request.fallbackCheckSeconds;
  return plan.dialTimeout ?? plan.timeout ?? request.warmDialSeconds ?? DEFAULT_WARM_DIAL_SECONDS;
}
