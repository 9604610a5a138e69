import { proxySinks, setCurrentDetails, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { CallbackCallEvent, CallbackEvent, CallbackInput, CallbackOutcome, CallbackResult, CallbackSinks, CallbackStage, CallbackStatus, LineNotice } from '../../contracts';
import {
  CustomerTierAttribute,
  TransferAgent,
  TransferDepartment,
  TransferOutcomeAttribute,
  TransferStageAttribute,
  VapiCallId,
  callbackCallEventSignal,
  callbackStatusQuery,
  lineNoticeSignal,
} from '../../contracts';

const { callbackMetrics } = proxySinks<CallbackSinks>();

/** Vapi's word kept per call: enough for one call's life (ringing, in-progress, forwarding, ended, a report). */
const EVENTS_PER_CALL = 20;
/** Calls whose events are kept before the callback knows them (Vapi may report a call before its POST is answered). */
const CALLS_KEPT = 10;

/**
 * What one callback knows: where it stands (the `callbackStatus` query, the `TransferStage` search attribute,
 * the Web UI's current details, which never name the caller or their number), the floor's word to it, and
 * Vapi's word on the calls it placed.
 */
export class CallbackState {
  readonly status: CallbackStatus = { stage: 'callback-waiting', attempt: 0, agentId: null, placedCallIds: [], outcome: null, reason: null };
  /** Agents the floor reserved for this callback, oldest first (its place-in-line notices are not needed: nobody is on the line). */
  readonly assigned: Extract<LineNotice, { type: 'assigned' }>[] = [];
  private readonly events = new Map<string, CallbackCallEvent[]>();

  constructor(readonly input: CallbackInput) {}

  get callbackId(): string {
    return this.input.callbackId;
  }

  /** What the department's supervisor reads: the department, never the caller. */
  get label(): string {
    return `Call back for ${this.input.department}`;
  }

  listen(): void {
    setHandler(callbackStatusQuery, () => this.status);
    setHandler(lineNoticeSignal, (notice) => {
      if (notice.type === 'assigned') this.assigned.push(notice);
    });
    setHandler(callbackCallEventSignal, (event) => this.hear(event));
  }

  /** Events of the original call (the caller hanging up after the promise) say nothing about a call back. */
  private hear(event: CallbackCallEvent): void {
    if (typeof event?.callId !== 'string' || event.callId === this.input.callId) return;
    let list = this.events.get(event.callId);
    if (!list) {
      if (this.events.size >= CALLS_KEPT) this.events.delete(this.events.keys().next().value!);
      list = [];
      this.events.set(event.callId, list);
    }
    list.push({ callId: event.callId, status: String(event.status), endedReason: event.endedReason ?? null });
    if (list.length > EVENTS_PER_CALL) list.shift();
  }

  /** Vapi's word on one call so far, oldest first. */
  eventsOf(callId: string): readonly CallbackCallEvent[] {
    return this.events.get(callId) ?? [];
  }

  /** The last word of a status among `statuses` Vapi sent about the call, if any. */
  heard(callId: string, statuses: readonly string[]): CallbackCallEvent | undefined {
    return [...this.eventsOf(callId)].reverse().find((event) => statuses.includes(event.status));
  }

  /** Now, as office hours read it: the simulator's as-of time in npm start's embedded mode, else the clock. */
  officeNow(): number {
    return Date.now() + (this.input.asOfOffsetMs ?? 0);
  }

  /** The promise is now this workflow's to keep: what operators search for, and the promise asked for again. */
  promised(): void {
    upsertSearchAttributes([
      { key: VapiCallId, value: this.input.callId },
      { key: TransferDepartment, value: this.input.department },
      { key: CustomerTierAttribute, value: this.input.customer.tier },
      { key: TransferStageAttribute, value: 'callback-waiting' },
    ]);
    if (this.input.promise) upsertMemo({ promise: this.input.promise });
    this.count('promised');
    this.stage('callback-waiting', `${this.label}: waiting in line for an agent`);
  }

  stage(stage: CallbackStage, details: string): void {
    if (this.status.stage !== stage) upsertSearchAttributes([{ key: TransferStageAttribute, value: stage }]);
    this.status.stage = stage;
    setCurrentDetails(details);
  }

  agentReserved(agentId: string | null): void {
    this.status.agentId = agentId;
    if (agentId) upsertSearchAttributes([{ key: TransferAgent, value: agentId }]);
  }

  /** A call was placed (or found placed): Vapi's reports of it reach this workflow by its id from now on too. */
  placed(callId: string): void {
    if (!this.status.placedCallIds.includes(callId)) this.status.placedCallIds.push(callId);
    upsertSearchAttributes([{ key: VapiCallId, value: callId }]);
  }

  count(event: CallbackEvent): void {
    callbackMetrics.event({ department: this.input.department, event });
  }

  finish(outcome: CallbackOutcome, reason: string): CallbackResult {
    this.status.outcome = outcome;
    this.status.reason = reason;
    this.status.stage = 'done';
    upsertSearchAttributes([
      { key: TransferOutcomeAttribute, value: outcome },
      { key: TransferStageAttribute, value: 'done' },
    ]);
    setCurrentDetails(`${this.label}: ${outcome} (${reason})`);
    return { outcome, reason, placed: this.status.placedCallIds.length };
  }
}
