import type { WorkflowClient, WorkflowExecutionInfo } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import {
  CustomerTierAttribute,
  TRANSFER_WORKFLOW_TYPE,
  TransferAgent,
  TransferDepartment,
  TransferLatencyMs,
  TransferOutcomeAttribute,
  TransferStageAttribute,
  VapiCallId,
} from '../contracts';
import type { RoutingDecision, TransferOutcome, TransferRequest } from '../contracts';
import { destinationLabel } from '../routing/labels';
import type { CallStatusSource } from '../integrations/call-status';
import { CALL_NOT_FOUND, VapiApiError } from '../integrations/call-status';
import type { CrmAdapter, StoredTransferNote } from '../integrations/crm';
import type { TransferCallWorkflow } from '../contracts';
import type { TransferHistory } from './transfer-history';
import { readTransferHistory } from './transfer-history';
import { checkDecisions, currentWorkflowBundle, replayTransfers } from './replay';
import { TRANSFER_POST_STEP, deliveryEvidence } from './delivery-evidence';
import type { DecisionVerdict, ReplayVerdict } from './replay';
import type { DataConverter } from '@temporalio/common';
import { createDataConverter } from '../temporal/data-converter';
import { transferStartOptions } from '../temporal/transfer-start';
import type { RoutingPolicy, RoutingRulesSnapshot } from '../contracts';
import { histories } from './history-sources';
import type { HistorySource } from './history-sources';
import { diffRouting } from './routing-diff';
import type { RoutingDiffReport } from './routing-diff';

/** Why an operator action was refused; the API maps `code` to an HTTP status, the CLI prints `message`. */
export class TransferConsoleError extends Error {
  override readonly name = 'TransferConsoleError';
  constructor(
    readonly code:
      | 'not_found'
      | 'invalid_filter'
      | 'still_running'
      | 'not_running'
      | 'not_retryable'
      | 'may_have_reached_caller'
      | 'call_not_live'
      | 'call_state_unknown'
      | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

export interface TransferListFilters {
  outcome?: string;
  department?: string;
  callId?: string;
  /** ISO 8601 instant, or a duration back from now: `30m`, `24h`, `7d`. */
  since?: string;
  status?: 'running' | 'closed';
  /** ISO 8601 instant: only transfers that closed after it (what a live view has not seen yet). */
  closedAfter?: string;
  limit?: number;
}

export interface TransferListItem {
  workflowId: string;
  runId: string;
  status: string;
  startedAt: string;
  closedAt: string | null;
  callId: string | null;
  department: string | null;
  tier: string | null;
  outcome: string | null;
  /** The agent routing chose (TransferAgent), once it decided. */
  agent: string | null;
  /** Where it stands (TransferStage): routing, transferring, resolving-doubt, awaiting-outcome, done. */
  stage: string | null;
  /** Webhook accepted → Vapi took the transfer, in ms (TransferLatencyMs); null until Vapi took it. */
  latencyMs: number | null;
}

export interface TransferDetails extends TransferListItem {
  summary: string | null;
  details: string | null;
  request: Record<string, unknown> | null;
  decision: {
    department: string | null;
    agentId: string | null;
    /** Where the call went, named from its destination ("agent a-17", "billing line", "after-hours voicemail"). */
    label: string;
    mode: string | null;
    decidedBy: string | null;
    reasons: string[];
    candidates: unknown;
  } | null;
  steps: TransferHistory['steps'];
  callEvents: TransferHistory['signals'];
  failure: string | null;
  runs: { runId: string; status: string; startedAt: string }[];
  /** The CRM note the agent received (null: none written, or no CRM given); `error` when the CRM could not be asked. */
  note: StoredTransferNote | { error: string } | null;
}

/** What a cancel does to a transfer, by whether its POST may have reached Vapi (README, "Cancel"). */
export const CANCEL_EFFECT = {
  notSent: 'the transfer has not been sent: its compensations run (the CRM summary is marked not transferred, the agent released) and it ends cancelled',
  sent: "the transfer may already have reached Vapi and cannot be taken back: nothing is undone, the wait for Vapi's report just ends (outcome transfer-initiated; the agent keeps the reservation until its TTL)",
} as const;

export interface CancelResult {
  workflowId: string;
  runId: string;
  status: 'cancel-requested';
  /** An `executeTransfer` was scheduled before or with the cancel: the POST may have reached Vapi. */
  transferSent: boolean;
  /** What happens to this transfer now, in a sentence. */
  effect: string;
}

export interface RetryResult {
  workflowId: string;
  runId: string;
  /** Always a new run of the same workflow id with the original request; never a reset of the failed one. */
  strategy: 'new-run';
  previousRunId: string;
  callState: string | null;
}

/** The decision as the workflow keeps it in its memo (`routing`, or `decision` after a fallback). */
type DecisionMemo = Partial<Pick<RoutingDecision, 'department' | 'agentId' | 'label' | 'mode' | 'decidedBy' | 'reasons' | 'destination'>>;

const FILTER_VALUE = /^[A-Za-z0-9._:-]{1,128}$/;
const RELATIVE = /^(\d{1,6})([smhd])$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Outcomes after which the caller may still be waiting for a person, and nothing reached one. */
/** Outcomes that leave nobody to transfer again, whatever an operator knows: never retried, not even forced. */
const FINAL_OUTCOMES: Partial<Record<TransferOutcome, string>> = {
  transferred: 'Vapi reported the call transferred; there is nothing to retry',
  'caller-hung-up': 'the caller hung up; there is nobody to transfer',
  abandoned: 'the caller hung up while waiting in line; there is nobody to transfer',
  'callback-promised': 'the caller was promised a callback, which runs on its own (see `switchboard queues`)',
};

function sinceInstant(since: string, now: Date): string {
  const relative = RELATIVE.exec(since);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]).toISOString();
  const parsed = Date.parse(since);
  if (Number.isNaN(parsed)) throw new TransferConsoleError('invalid_filter', 'since: expected an ISO 8601 time or a duration such as 30m, 24h, 7d');
  return new Date(parsed).toISOString();
}

/** A visibility query from validated filters; values are checked against a strict pattern, never spliced raw. */
export function transferQuery(filters: TransferListFilters, now = new Date()): string {
  const clauses = [`WorkflowType = '${TRANSFER_WORKFLOW_TYPE}'`];
  const exact: [string, string | undefined][] = [
    [TransferOutcomeAttribute.name, filters.outcome],
    [TransferDepartment.name, filters.department],
    [VapiCallId.name, filters.callId],
  ];
  for (const [attribute, value] of exact) {
    if (value === undefined) continue;
    if (!FILTER_VALUE.test(value)) throw new TransferConsoleError('invalid_filter', `${attribute}: letters, digits and . _ : - only`);
    clauses.push(`${attribute} = '${value}'`);
  }
  if (filters.since !== undefined) clauses.push(`StartTime >= '${sinceInstant(filters.since, now)}'`);
  if (filters.closedAfter !== undefined) clauses.push(`CloseTime > '${sinceInstant(filters.closedAfter, now)}'`);
  if (filters.status === 'running') clauses.push(`ExecutionStatus = 'Running'`);
  if (filters.status === 'closed') clauses.push(`ExecutionStatus != 'Running'`);
  return clauses.join(' AND ');
}

function listItem(info: Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'status' | 'startTime' | 'closeTime' | 'typedSearchAttributes'>): TransferListItem {
  const attributes = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    status: info.status.name,
    startedAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString() ?? null,
    callId: attributes.get(VapiCallId) ?? null,
    department: attributes.get(TransferDepartment) ?? null,
    tier: attributes.get(CustomerTierAttribute) ?? null,
    outcome: attributes.get(TransferOutcomeAttribute) ?? null,
    agent: attributes.get(TransferAgent) ?? null,
    stage: attributes.get(TransferStageAttribute) ?? null,
    latencyMs: attributes.get(TransferLatencyMs) ?? null,
  };
}

/** Personal data stays out: the number shows its last two digits, the caller's words only their length. */
function requestSummary(request: TransferRequest | null): Record<string, unknown> | null {
  if (!request) return null;
  return {
    callId: request.callId,
    toolCallId: request.toolCallId,
    receivedAt: request.receivedAt,
    mode: request.mode ?? 'control-url',
    department: request.department ?? null,
    urgency: request.urgency,
    reason: request.reason ?? null,
    customerId: request.customerId ?? null,
    callerNumber: request.callerNumber ? `…${request.callerNumber.slice(-2)}` : null,
    callerWordsLength: request.callerWords?.length ?? 0,
    hasControlUrl: Boolean(request.controlUrl),
    ...(request.retryOf ? { retryOf: request.retryOf } : {}),
    ...(request.routeAt ? { routeAt: request.routeAt } : {}),
  };
}

/**
 * What operators do with transfers, for the HTTP API and the CLI alike: list and inspect them from
 * visibility and history, retry a failed one as a new run, cancel a running one.
 */
export class TransferConsole {
  constructor(
    private readonly deps: {
      workflowClient: WorkflowClient;
      taskQueue: string;
      callStatus: CallStatusSource;
      /** The data converter replays decode with (the same codec as the service). */
      dataConverter?: DataConverter;
      /** WORKFLOW_BUNDLE_PATH when set: replay the code the workers run. */
      workflowBundlePath?: string;
      /** Where `show` reads the transfer's note. */
      crm?: Pick<CrmAdapter, 'findTransferNote'>;
      /** The routing file this process reads: the agents a replayed or diffed transfer that did not record its roster is decided with. */
      routingPolicy?: RoutingPolicy;
      now?: () => Date;
    },
  ) {}

  /**
   * Replays every run of this transfer against the workflow code this process runs: the check that a
   * routing change still replays the transfer that went wrong (or any other) before it is deployed.
   */
  async replay(workflowId: string): Promise<{ workflowId: string; ok: boolean; runs: ReplayVerdict[]; decisions: DecisionVerdict[] }> {
    await this.describeTransfer(workflowId);
    const runs = await this.runsOf(workflowId);
    const histories = await Promise.all(
      runs.map(async (run) => ({ workflowId, history: await this.deps.workflowClient.getHandle(workflowId, run.runId).fetchHistory() })),
    );
    const verdicts = await replayTransfers(histories, {
      dataConverter: this.deps.dataConverter ?? createDataConverter(),
      workflowBundle: await currentWorkflowBundle(this.deps.workflowBundlePath),
    });
    const decisions = await checkDecisions(histories, { converter: this.deps.workflowClient.options.loadedDataConverter, ...this.roster() });
    const ok = verdicts.every((verdict) => verdict.ok) && decisions.every((decision) => decision.decision !== 'differs');
    return { workflowId, ok, runs: verdicts, decisions };
  }

  private roster(): { roster?: RoutingPolicy['agents'] } {
    return this.deps.routingPolicy ? { roster: this.deps.routingPolicy.agents } : {};
  }

  /**
   * Which recorded transfers a routing change would have sent elsewhere: each decided again from the inputs
   * in its history with `candidate` (or the file it recorded), compared with what it recorded. `since` or
   * `query` (a visibility query, narrowed to transfers) choose the transfers; reads only.
   */
  async diffRouting(options: { candidate?: RoutingPolicy; since?: string; query?: string; limit?: number }): Promise<RoutingDiffReport & { query: string }> {
    const query = options.query ? `WorkflowType = '${TRANSFER_WORKFLOW_TYPE}' AND (${options.query})` : transferQuery({ since: options.since ?? '24h' }, this.deps.now?.() ?? new Date());
    const source: HistorySource = { kind: 'query', query, limit: Math.min(Math.max(options.limit ?? 500, 1), 5_000) };
    const report = await diffRouting(histories(source, this.deps.workflowClient), {
      converter: this.deps.workflowClient.options.loadedDataConverter,
      ...(options.candidate ? { candidate: options.candidate } : {}),
      ...this.roster(),
    });
    return { query, ...report };
  }

  /**
   * Transfers from visibility (search attributes only: no keys needed). `limit` is capped at 500, or at
   * `options.cap` for a caller in this process that must see everything new at once (the floor's live view).
   */
  async list(filters: TransferListFilters = {}, options: { cap?: number } = {}): Promise<{ query: string; transfers: TransferListItem[] }> {
    const query = transferQuery(filters, this.deps.now?.() ?? new Date());
    const limit = Math.min(Math.max(filters.limit ?? 50, 1), options.cap ?? 500);
    const transfers: TransferListItem[] = [];
    for await (const info of this.visible(query, Math.min(limit, 1_000))) {
      transfers.push(listItem(info));
      if (transfers.length >= limit) break;
    }
    return { query, transfers };
  }

  async show(workflowId: string): Promise<TransferDetails> {
    const handle = this.deps.workflowClient.getHandle(workflowId);
    const description = await this.describeTransfer(workflowId);
    const [history, summary, runs, note] = await Promise.all([
      handle.fetchHistory().then((fetched) => readTransferHistory(this.deps.workflowClient.options.loadedDataConverter, fetched.events ?? [])),
      description.staticSummary().catch(() => undefined),
      this.runsOf(workflowId),
      this.noteOf(workflowId),
    ]);
    // The memo holds the decision as the workflow last made it (routing, then each fallback), whatever the
    // run's end; a completed run's result says the same.
    const memo = (description.memo?.decision ?? description.memo?.routing ?? null) as DecisionMemo | null;
    const routed = (description.memo?.routing ?? null) as { candidates?: unknown } | null;
    const decided = history.result?.decision ?? null;
    const decision = memo || decided ? this.decisionOf(memo, decided, routed, history) : null;
    return {
      ...listItem(description),
      outcome: description.typedSearchAttributes.get(TransferOutcomeAttribute) ?? history.result?.outcome ?? null,
      summary: summary ?? null,
      details: await this.currentDetails(workflowId),
      request: requestSummary(history.request),
      decision,
      steps: history.steps,
      callEvents: history.signals,
      failure: history.failure,
      runs,
      note,
    };
  }

  /** The decision as the memo (else the result) holds it, its destination named against the routing file the run recorded. */
  private decisionOf(memo: DecisionMemo | null, decided: RoutingDecision | null, routed: { candidates?: unknown } | null, history: TransferHistory): TransferDetails['decision'] {
    const department = memo?.department ?? decided?.department ?? null;
    const agentId = memo?.agentId ?? decided?.agentId ?? null;
    const decidedBy = memo?.decidedBy ?? decided?.decidedBy ?? null;
    const destination = memo?.destination ?? decided?.destination;
    const label = memo?.label ?? decided?.label ?? null;
    return {
      department,
      agentId,
      label: label ?? (destination ? destinationLabel({ agentId, department, decidedBy: decidedBy ?? '', destination }, recordedPolicy(history)) : agentId ? `agent ${agentId}` : 'a line'),
      mode: memo?.mode ?? decided?.mode ?? null,
      decidedBy,
      reasons: memo?.reasons ?? decided?.reasons ?? [],
      candidates: routed?.candidates ?? decided?.trace.candidates ?? null,
    };
  }

  /** The transfer id is the workflow id; a CRM that cannot be asked does not stop the rest of `show`. */
  private async noteOf(workflowId: string): Promise<TransferDetails['note']> {
    if (!this.deps.crm) return null;
    return this.deps.crm.findTransferNote(workflowId).catch((error: unknown) => ({ error: error instanceof Error ? error.message : 'CRM unreachable' }));
  }

  /**
   * A transfer that did not reach the caller, retried as a new run of the same workflow id with the original
   * request. Refused while it runs, when it ended with nobody left to transfer, and when the caller is gone.
   * Whether its transfer may already have reached Vapi is read from the run's history (see
   * {@link deliveryEvidence}): such a run, or one whose call Vapi cannot be asked about (no VAPI_API_KEY), is
   * retried only with `force`, and the refusal says why.
   */
  async retry(workflowId: string, options: { force?: boolean } = {}): Promise<RetryResult> {
    const description = await this.describeTransfer(workflowId);
    if (description.status.name === 'RUNNING') throw new TransferConsoleError('still_running', 'the transfer is still running; cancel it first or let it finish');
    const history = await this.deps.workflowClient
      .getHandle(workflowId, description.runId)
      .fetchHistory()
      .then((fetched) => readTransferHistory(this.deps.workflowClient.options.loadedDataConverter, fetched.events ?? []));
    const request = history.request;
    if (!request?.controlUrl) throw new TransferConsoleError('not_retryable', 'only transfers Switchboard executes through the controlUrl can be retried');
    const outcome = history.result?.outcome ?? null;
    const final = outcome ? FINAL_OUTCOMES[outcome] : undefined;
    if (final) throw new TransferConsoleError('not_retryable', final);
    const evidence = deliveryEvidence(history);
    if (evidence.mayHaveReached && !options.force) {
      throw new TransferConsoleError(
        'may_have_reached_caller',
        `the transfer may already have reached the caller: ${evidence.why}; retrying could transfer them twice. Retry with force only if you know the caller is still with the assistant`,
      );
    }

    let callState: string | null;
    try {
      callState = await this.deps.callStatus.status(request.callId);
    } catch (error) {
      if (!(error instanceof VapiApiError)) throw error;
      if (!options.force) {
        throw new TransferConsoleError('call_state_unknown', `cannot tell whether the caller is still on the line: ${error.message}; retry with force if you know the call is live`);
      }
      callState = null;
    }
    if (callState !== null && callState !== 'in-progress') {
      const state = callState === CALL_NOT_FOUND ? 'unknown to Vapi' : callState;
      throw new TransferConsoleError('call_not_live', `the call is ${state}; only a live call can be transferred`);
    }
    if (callState === null && !options.force) {
      throw new TransferConsoleError(
        'call_state_unknown',
        'cannot ask Vapi whether the caller is still on the line (set VAPI_API_KEY); retry with force if you know the call is live',
      );
    }
    const retried: TransferRequest = { ...request, retryOf: description.runId };
    try {
      const handle = await this.deps.workflowClient.start<TransferCallWorkflow>(TRANSFER_WORKFLOW_TYPE, transferStartOptions(retried, this.deps.taskQueue, 'retry'));
      return { workflowId, runId: handle.firstExecutionRunId, strategy: 'new-run', previousRunId: description.runId, callState };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new TransferConsoleError('conflict', 'another run of this transfer has just started');
      throw error;
    }
  }

  /**
   * Asks a running transfer to stop, and says what that does to this one. Before the transfer POST its
   * compensations run; once a POST may have reached Vapi (an `executeTransfer` scheduled, read from the run's
   * history after the request) it cannot be taken back: nothing is undone and the wait for Vapi's report ends.
   */
  async cancel(workflowId: string): Promise<CancelResult> {
    const description = await this.describeTransfer(workflowId);
    if (description.status.name !== 'RUNNING') throw new TransferConsoleError('not_running', `the transfer is not running (${description.status.name.toLowerCase()})`);
    const handle = this.deps.workflowClient.getHandle(workflowId, description.runId);
    await handle.cancel();
    const events = (await handle.fetchHistory()).events ?? [];
    const transferSent = events.some((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === TRANSFER_POST_STEP);
    return { workflowId, runId: description.runId, status: 'cancel-requested', transferSent, effect: transferSent ? CANCEL_EFFECT.sent : CANCEL_EFFECT.notSent };
  }

  /**
   * Visibility rows without their memos: every column operators list comes from search attributes, which are
   * never encrypted, so listing needs no PAYLOAD_ENCRYPTION_KEYS (the SDK's `list` decodes each memo, and
   * fails on an encrypted one without the keys).
   */
  private async *visible(query: string, pageSize: number) {
    const client = this.deps.workflowClient;
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, query, pageSize, ...(nextPageToken ? { nextPageToken } : {}) });
      for (const raw of page.executions) {
        // Proto messages keep their defaults (a running workflow's historyLength 0) on the prototype: keep it.
        const withoutMemo = Object.assign(Object.create(Object.getPrototypeOf(raw) as object) as typeof raw, raw, { memo: null });
        yield await executionInfoFromRaw(withoutMemo, client.options.loadedDataConverter, raw, client.options.namespace);
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
  }

  private async describeTransfer(workflowId: string) {
    try {
      const description = await this.deps.workflowClient.getHandle(workflowId).describe();
      if (description.type !== TRANSFER_WORKFLOW_TYPE) throw new TransferConsoleError('not_found', 'no transfer with this id');
      return description;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new TransferConsoleError('not_found', 'no transfer with this id');
      throw error;
    }
  }

  private async runsOf(workflowId: string): Promise<TransferDetails['runs']> {
    const runs: TransferDetails['runs'] = [];
    const query = `WorkflowId = '${workflowId.replace(/'/g, '')}'`;
    for await (const info of this.visible(query, 20)) {
      runs.push({ runId: info.runId, status: info.status.name, startedAt: info.startTime.toISOString() });
      if (runs.length >= 20) break;
    }
    return runs;
  }

  /**
   * The workflow's current details: routing's one-line account, or where and why it failed. Read through the
   * SDK's metadata query, which a worker answers (replaying a closed run if need be); null when none answers
   * within a few seconds.
   */
  private async currentDetails(workflowId: string): Promise<string | null> {
    const client = this.deps.workflowClient;
    const metadata = await client
      .withDeadline(Date.now() + 5_000, () => client.getHandle(workflowId).query<{ currentDetails?: string }>('__temporal_workflow_metadata'))
      .catch(() => null);
    return metadata?.currentDetails || null;
  }
}

/**
 * The routing file a run recorded, as far as it did: a 1.0 transfer its whole policy, a later one only the rules
 * (no agents: an agent is named by id anyway).
 */
function recordedPolicy(history: TransferHistory): Pick<RoutingPolicy, 'lines' | 'departments' | 'agents'> | undefined {
  const recorded = (activity: string) => history.localResults.find((local) => local.activity === activity && !local.failed)?.result;
  const policy = recorded('loadRoutingPolicy') as RoutingPolicy | undefined;
  if (policy) return policy;
  const snapshot = recorded('loadRoutingRules') as RoutingRulesSnapshot | undefined;
  return snapshot ? { ...snapshot.rules, agents: [] } : undefined;
}
