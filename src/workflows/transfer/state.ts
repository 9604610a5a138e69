import { ApplicationFailure, isCancellation, proxySinks, setCurrentDetails, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type {
  CallbackAnswer,
  CallbackAsk,
  CallEvent,
  CallOutcomeKind,
  CustomerProfile,
  LineExit,
  LineNotice,
  LinePlace,
  RoutingDecision,
  StepRecord,
  TransferOutcome,
  TransferRequest,
  TransferSinks,
  TransferStatus,
  TransferStepName,
} from '../../contracts';
import {
  CustomerTierAttribute,
  FailureType,
  TransferAgent,
  TransferDepartment,
  TransferLatencyMs,
  TransferOutcomeAttribute,
  TransferStageAttribute,
  classifyEndedReason,
} from '../../contracts';
import { describeDecision, describeFailure } from './describe';

const { transferMetrics } = proxySinks<TransferSinks>();

/** Vapi's word on the call, reduced to what decides the outcome. */
export interface Reported {
  kind: CallOutcomeKind;
  endedReason: string | null;
}

/**
 * What one transfer knows so far. `status` is what the `status` query returns; the rest decides what the
 * workflow may still do.
 */
export class TransferState {
  readonly status: TransferStatus;
  /** Vapi's word on the call: `ended` wins over everything, `forwarding` and `transfer-update` confirm the transfer. */
  reported: Reported | null = null;
  /**
   * Whether a transfer may be in Vapi's hands: `maybe` once a POST may have reached Vapi (its answer lost, its
   * worker gone after writing), `yes` once Vapi took one. From the first moment it is not `no`, nothing is ever
   * undone: no compensation, no apology, no second POST to the same call without Vapi's word.
   */
  sent: 'no' | 'maybe' | 'yes' = 'no';
  customer: CustomerProfile | null = null;
  /** The CRM note written for the agent, once written. */
  noteId: string | null = null;
  /** A transfer-destination-request whose answer came too late: Vapi was told there is none. */
  abandoned = false;
  /** Where the caller stands in line while they wait (null: not waiting). */
  waiting: LinePlace | null = null;
  /** When the caller first joined a line (epoch ms): back after a failed attempt, they keep this place. */
  firstJoinedAt: number | null = null;
  /** What the floor told this transfer while it waited, oldest first. */
  readonly lineNotices: LineNotice[] = [];
  /** How the caller's time in line ended: told once, for the outcome and the metrics. */
  leftLine: LineExit | null = null;
  /** The assistant asked for a callback while the caller waits (the `requestCallback` update); answered once. */
  callbackAsked: CallbackAsk | null = null;
  callbackAnswer: CallbackAnswer | null = null;
  private acceptedOnce = false;

  constructor(
    readonly request: TransferRequest,
    readonly transferId: string,
  ) {
    this.status = { callId: request.callId, toolCallId: request.toolCallId, stage: 'received', steps: [], decision: null, outcome: null, failure: null, callEvents: [] };
  }

  get decision(): RoutingDecision | null {
    return this.status.decision;
  }

  hear(event: CallEvent): void {
    this.status.callEvents.push(event);
    if (this.status.callEvents.length > 20) this.status.callEvents.shift();
    if (event.kind === 'ended') this.reported = { kind: classifyEndedReason(event.endedReason), endedReason: event.endedReason };
    else this.reported ??= { kind: 'transferred', endedReason: null }; // forwarding or transfer-update
  }

  /** The outcome Vapi's word alone makes (null: no word, or a call that ended some other way). */
  get reportedOutcome(): 'transferred' | 'not-connected' | 'caller-hung-up' | null {
    const kind = this.reported?.kind;
    return kind === 'transferred' || kind === 'not-connected' || kind === 'caller-hung-up' ? kind : null;
  }

  /** The caller has gone (Vapi reported the call ended, and not by a transfer). */
  get callEnded(): boolean {
    return this.reported !== null && this.reported.kind !== 'transferred';
  }

  /** Stops the forward steps once the caller has gone: nothing is left to transfer. */
  stopIfCallEnded(): void {
    if (this.callEnded) throw ApplicationFailure.nonRetryable(`call ended (${this.reported!.endedReason ?? 'no reason given'})`, FailureType.CallEnded);
  }

  /** A POST may have reached Vapi: from now on nothing is undone. Never moves back. */
  maybeSent(): void {
    if (this.sent === 'no') this.sent = 'maybe';
  }

  /** Vapi took a POST. */
  surelySent(): void {
    this.sent = 'yes';
  }

  /**
   * Runs one named step and records it for the `status` query: running, then completed or failed. With
   * `recover`, a failure (other than a cancellation) is recorded and then answered by its result instead of
   * thrown. Written with one `then` rather than async/await: the SDK captures a stack trace for every promise
   * a workflow creates, and each await adds one.
   */
  step<T>(name: TransferStepName, run: () => Promise<T>, recover?: (error: unknown) => T): Promise<T> {
    const record: StepRecord = { name, status: 'running', startedAt: new Date().toISOString() };
    this.status.steps.push(record);
    return run().then(
      (result) => {
        record.status = 'completed';
        record.finishedAt = new Date().toISOString();
        return result;
      },
      (error: unknown) => {
        record.status = 'failed';
        record.error = describeFailure(error);
        record.finishedAt = new Date().toISOString();
        if (recover && !isCancellation(error)) return recover(error);
        throw error;
      },
    );
  }

  /**
   * Records where the call goes: for the `status` query, the search attributes, the memo and the Web UI's
   * current details. The memo keeps the decision readable once the run has closed: `routing` as the rules
   * decided it (never rewritten, so a later routing change can be compared with it), `decision` where the
   * call went last when the fallback chain moved it. Both hold the top candidates only.
   */
  decide(decision: RoutingDecision, customer: CustomerProfile, routingVersion?: string): void {
    const first = this.status.decision === null;
    this.customer = customer;
    this.status.decision = decision;
    const summary = {
      department: decision.department,
      agentId: decision.agentId,
      label: decision.label,
      mode: decision.mode,
      destination: decision.destination,
      decidedBy: decision.decidedBy,
      reasons: decision.reasons,
      ...(decision.queued ? { waitsInLine: true } : {}),
    };
    if (first) {
      upsertSearchAttributes([
        { key: CustomerTierAttribute, value: customer.tier },
        ...(decision.department ? [{ key: TransferDepartment, value: decision.department }] : []),
        ...(decision.agentId ? [{ key: TransferAgent, value: decision.agentId }] : []),
        { key: TransferStageAttribute, value: 'transferring' },
      ]);
      upsertMemo({
        routing: { ...summary, at: decision.trace.at, choice: decision.trace.choice, candidates: decision.trace.candidates, ...(routingVersion ? { version: routingVersion } : {}) },
      });
    } else {
      upsertMemo({ decision: summary });
      if (decision.agentId) upsertSearchAttributes([{ key: TransferAgent, value: decision.agentId }]);
    }
    setCurrentDetails(describeDecision(decision, customer.tier, this.request.urgency));
  }

  /** Vapi took a POST: the latency a supervisor charts, and the wait for Vapi's word begins. */
  transferAccepted(): void {
    transferMetrics.executed({ department: this.decision?.department ?? null, receivedAt: this.request.receivedAt });
    if (this.acceptedOnce) return;
    this.acceptedOnce = true;
    upsertSearchAttributes([
      { key: TransferLatencyMs, value: Math.max(0, Date.now() - Date.parse(this.request.receivedAt)) },
      { key: TransferStageAttribute, value: 'awaiting-outcome' },
    ]);
  }

  /** A POST may have reached Vapi and nobody knows yet: what operators see while Switchboard finds out. */
  inDoubt(): void {
    upsertSearchAttributes([{ key: TransferStageAttribute, value: 'resolving-doubt' }]);
  }

  /** The caller waits in line: what operators see, and the line's gauge counts them. */
  joinedLine(place: LinePlace): void {
    this.waiting = place;
    this.firstJoinedAt ??= place.joinedAt;
    this.status.stage = 'waiting';
    upsertSearchAttributes([{ key: TransferStageAttribute, value: 'waiting' }]);
    setCurrentDetails(`Waiting in ${place.department}'s line: position ${place.position} of ${place.waiting}, about ${place.estimateSeconds} s`);
  }

  /** The caller's place changed. */
  movedInLine(place: LinePlace): void {
    this.waiting = place;
    setCurrentDetails(`Waiting in ${place.department}'s line: position ${place.position} of ${place.waiting}, about ${place.estimateSeconds} s`);
  }

  /** The caller's wait ended (served, overflowed, hung up, a callback took their place): counted once. */
  leaveLine(how: LineExit): number {
    const place = this.waiting!;
    const waitedSeconds = Math.max(0, Math.round((Date.now() - place.joinedAt) / 1000));
    this.waiting = null;
    this.leftLine = how;
    transferMetrics.lineLeft({ department: place.department, how, waitedSeconds });
    upsertSearchAttributes([{ key: TransferStageAttribute, value: how === 'served' || how === 'overflowed' ? 'transferring' : 'done' }]);
    return waitedSeconds;
  }

  /** The floor could not be asked for an agent in time (counted: an operator's alert). */
  reservationFailed(): void {
    transferMetrics.reservationFailed({ department: this.decision?.department ?? this.request.department ?? null });
  }

  fallingBack(): void {
    transferMetrics.fallback({ department: this.decision?.department ?? null });
  }

  compensated(compensation: string): void {
    transferMetrics.compensated({ compensation });
  }

  finish(stage: TransferStatus['stage'], outcome: TransferOutcome): void {
    this.status.stage = stage;
    this.status.outcome = outcome;
    transferMetrics.finished({ department: this.decision?.department ?? null, outcome });
    upsertSearchAttributes([
      { key: TransferOutcomeAttribute, value: outcome },
      { key: TransferStageAttribute, value: 'done' },
    ]);
  }
}
