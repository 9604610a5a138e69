import type { CustomerProfile, Urgency } from './customer';
import type { CallDestination } from './destinations';
import type { AgentCriteria, FloorReservation, JoinLineCommand, LinePlace, ReserveCommand } from './floor';
import type { AgentLiveState, OfficeClock, RoutingPolicy, RoutingRules, ToneAssessment } from './routing';
import type { TransferNoteStatus } from './notes';
import type { RoutingDecision } from './transfer';

/**
 * Every activity a workflow may schedule, by name and signature. Workflows proxy this interface (they never
 * see an implementation); `createActivities(deps)` in src/activities implements it, so a renamed or reshaped
 * activity breaks compilation on both sides.
 */
export interface Activities {
  /** The routing file's rules (no agents), its version, and the offices' local time at the as-of time. */
  loadRoutingRules(input: { routeAt?: string }): Promise<RoutingRulesSnapshot>;
  assessTone(input: { words?: string }): Promise<ToneAssessment>;
  enrichCustomer(input: { customerId?: string; callerNumber?: string }): Promise<CustomerProfile>;

  /** Rules 8-11 on the floor and a reservation of the agent they choose; 1.0 transfers send their ranked candidates. */
  reserveAgent(input: ReserveAgentInput | LegacyReservationRequest): Promise<ReserveAgentResult>;
  /** Frees what the transfer holds (on `agentId` only, when given); idempotent. */
  releaseAgent(input: { transferId: string; agentId?: string }): Promise<void>;
  /** The call reached the agent: they stay busy until marked ready or the department's after-call time passes. */
  agentConnected(input: { transferId: string; agentId: string; department: string | null }): Promise<void>;

  postSummary(input: PostSummaryInput): Promise<{ noteId: string }>;
  /** Moves the note's status forward (never back); `changed` false when the CRM's note was already past it. */
  markSummary(input: { noteId: string; status: TransferNoteStatus; reason?: string }): Promise<{ changed: boolean }>;
  /** 1.0's compensation of postSummary (kept for 1.0 transfers in flight). */
  markSummaryNotTransferred(input: { noteId: string; reason: string }): Promise<void>;

  executeTransfer(input: ExecuteTransferInput): Promise<{ status: number }>;
  sayToCaller(input: SayToCallerInput): Promise<{ status: number }>;
  /** Tells the assistant something it should act on (a control `add-message`, role system, answered at once). */
  tellAssistant(input: SayToCallerInput): Promise<{ status: number }>;
  /** Takes (back) a place in line on the floor: a callback taking over a transfer's place (`replaces`). */
  joinLine(input: Omit<JoinLineCommand, 'type'>): Promise<LinePlace>;
  /**
   * Whether any of these offices is open at `at` (ISO 8601) by the routing file's hours and holidays, and when
   * one next opens (null: none within 14 days).
   */
  officeWindow(input: { offices: string[]; at: string }): Promise<{ open: boolean; nextOpenAt: string | null }>;
  /** Where an agent is reached, from the routing file the worker holds (null: no such agent any more). */
  agentDestination(input: { agentId: string }): Promise<CallDestination | null>;
  checkCallState(input: { callId: string }): Promise<CallStateReport>;
  /**
   * Places the call back through Vapi's API (`POST /call`), at most once per callback attempt: a try that may
   * follow an earlier one (a retry, a worker lost mid-request) first asks Vapi (`GET /call`) for a call tagged
   * with this callback and attempt, and returns that one instead of placing another.
   */
  placeCallback(input: PlaceCallbackInput): Promise<PlacedCallback>;

  /** 1.0 only: the whole routing file, recorded in every 1.0 transfer's history. */
  loadRoutingPolicy(): Promise<RoutingPolicy>;
  /** 1.0 only: every agent's live state. */
  loadAgentStates(): Promise<Record<string, AgentLiveState>>;
}

export interface RoutingRulesSnapshot {
  /** The routing file's version: a digest of its content. */
  version: string;
  rules: RoutingRules;
  /** The as-of time routing decides at (ISO 8601). */
  at: string;
  /** Each office's local time at `at`. */
  clocks: Record<string, OfficeClock>;
}

export interface ReserveAgentInput {
  transferId: string;
  criteria: AgentCriteria;
  ttlSeconds: number;
  /** Wait in the department's line when every qualified agent is busy (see `ReserveCommand.line`). */
  line?: ReserveCommand['line'];
}

/** 1.0's reservation request: its ranked candidates, each with the capacity the 1.0 file gave them. */
export interface LegacyReservationRequest {
  transferId: string;
  candidates: readonly { agentId: string; maxConcurrent: number }[];
  ttlSeconds: number;
}

export interface ReserveAgentResult {
  agentId: string | null;
  /** The floor's whole answer (absent for 1.0 requests). */
  reservation?: FloorReservation;
  /** Where the reserved agent and the next one are reached, from the routing file the worker holds. */
  destinations?: Record<string, CallDestination>;
}

export interface PostSummaryInput {
  transferId: string;
  customer: CustomerProfile;
  decision: RoutingDecision;
  reason?: string;
  urgency: Urgency;
  callerWords?: string;
}

export interface ExecuteTransferInput {
  callId: string;
  controlUrl: string;
  destination: CallDestination;
  /** Spoken to the caller before the transfer. */
  content: string;
}

export interface SayToCallerInput {
  callId: string;
  controlUrl: string;
  content: string;
}

export interface PlaceCallbackInput {
  callbackId: string;
  /** 1, 2, …: the tag that makes the call findable (with the callback id). */
  attempt: number;
  /** When the workflow decided to place it (ISO 8601): calls created before it are not looked at. */
  decidedAt: string;
  assistantId?: string;
  /** Personal data: where to call (E.164). */
  customerNumber: string;
  /** For the assistant's prompt: `callback: true`, the reason, the department, the attempt. */
  variableValues: Record<string, string | number | boolean>;
}

export interface PlacedCallback {
  /** Vapi's id of the call. */
  callId: string;
  /** Live Call Control of the call (`monitor.controlUrl`); a capability, never logged. Null when Vapi gave none. */
  controlUrl: string | null;
  /** Vapi's status of the call when placed or found (`queued`, `ringing`, …). */
  status: string | null;
  /** True when the call was found in Vapi (an earlier try placed it) rather than placed now. */
  found: boolean;
}

export interface CallStateReport {
  /** `in-progress`, `forwarding`, `ended`, ...; null when Vapi cannot be asked. */
  status: string | null;
  endedReason?: string | null;
}

/** The heartbeat detail a control POST records before it writes: its presence in a timeout means "may have been sent". */
export const SENDING_MARKER = 'switchboardSending';
export type SendingMarker = { [SENDING_MARKER]: true; at: string };

/** Whether an attempt's last heartbeat says it may have been sent. */
export function mayHaveBeenSent(lastHeartbeatDetails: unknown): boolean {
  return typeof lastHeartbeatDetails === 'object' && lastHeartbeatDetails !== null && (lastHeartbeatDetails as Record<string, unknown>)[SENDING_MARKER] === true;
}
