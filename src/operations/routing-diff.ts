import type { HistoryAndWorkflowId } from '@temporalio/common';
import type { LoadedDataConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { CRM_UNREACHABLE_CUSTOMER, DEFAULT_AFTER_CALL, NEUTRAL_TONE } from '../contracts';
import type {
  AgentLiveState,
  CallDestination,
  CustomerProfile,
  OfficeClock,
  PolicyAgent,
  ReserveAgentResult,
  RoutingPolicy,
  RoutingRulesSnapshot,
  Roster,
  ToneAssessment,
  TransferRequest,
} from '../contracts';
import { routingInput } from '../routing/input';
import { destinationLabel, waitsInLineLabel } from '../routing/labels';
import { priorityClass } from '../routing/line-rules';
import { criteriaOf, decideWithFloor, routeRules } from '../routing/pipeline';
import { FloorModel } from '../routing/floor-model';
import type { TransferHistory } from './transfer-history';
import { readTransferHistory } from './transfer-history';

/** Where a transfer went, as the rules chose it (reservations aside). */
export interface DecisionView {
  department: string | null;
  /** The first-ranked agent, or null when a line was chosen. */
  agentId: string | null;
  mode: string;
  /** The number or SIP URI the call went to. */
  destination: string;
  /** What that destination is: "agent a-dev", "sales line", "after-hours voicemail", or "waits in sales's line". */
  label: string;
  /** Every qualified agent was busy and the caller waited in the department's line (a decision of its own). */
  waitsInLine: boolean;
}

export type ChangeKind = 'other department' | 'other agent' | 'other mode' | 'other destination line' | 'waits in line' | 'no longer waits';
export const CHANGE_KINDS: readonly ChangeKind[] = ['other department', 'other agent', 'other mode', 'other destination line', 'waits in line', 'no longer waits'];

export interface TransferDiff {
  workflowId: string;
  runId: string;
  before: DecisionView;
  /** Decided again: `ranked`, since reservations are not replayed. */
  after: DecisionView & { agentIs: 'ranked' };
  kinds: ChangeKind[];
  reasons: { before: string[]; after: string[] };
  /** The first reason that differs, one line each side (null when one side has no reason there). */
  firstDifference: { before: string | null; after: string | null } | null;
}

export interface RoutingDiffReport {
  compared: number;
  changed: number;
  unchanged: number;
  skipped: number;
  /** Why transfers were skipped, with how many each. */
  skippedWhy: Record<string, number>;
  /** Histories that could not be decrypted: the keys are missing or wrong. */
  unreadable: number;
  byDepartment: Record<string, number>;
  byKind: Partial<Record<ChangeKind, number>>;
  /**
   * Agents of the candidate file missing from a transfer's recorded live state (new agents, or agents the
   * file of the time did not have): they were not "available" then, and are treated as available with no
   * active transfers.
   */
  agentsTreatedAsAvailable: string[];
  transfers: TransferDiff[];
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

interface Recorded {
  request: TransferRequest;
  policy: RoutingPolicy;
  customer: CustomerProfile;
  tone: ToneAssessment;
  agents: Record<string, AgentLiveState>;
  at: string;
  /** The offices' wall clocks at `at`, where the transfer recorded them (generation 2). */
  clocks?: Record<string, OfficeClock>;
  before: DecisionView;
  reasons: string[];
}

interface RoutedMemo {
  department: string | null;
  decidedBy: string;
  mode: string;
  reasons: string[];
  at: string;
  choice: { agentId: string | null; destination: CallDestination };
  /** The caller waited in line (absent before lines existed). */
  waitsInLine?: boolean;
}

export const SKIP = {
  unreadable: 'history could not be decrypted (set PAYLOAD_ENCRYPTION_KEYS to the keys the service uses)',
  noRouting: 'no routing recorded (the caller left, or the transfer failed, before routing decided)',
  noRoster: 'the transfer recorded its rules but not its agents, and no routing file was given to read them from',
  notTransfer: 'not a transfer workflow',
} as const;

function destinationOf(destination: CallDestination): string {
  return destination.type === 'number' ? destination.number : destination.sipUri;
}

function encrypted(events: readonly HistoryEvent[]): boolean {
  const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const encoding = input?.metadata?.encoding;
  return encoding !== undefined && encoding !== null && Buffer.from(encoding).toString() === 'binary/encrypted';
}

/**
 * What routing saw when it decided this transfer, and what it decided; or why that cannot be known. A 1.0
 * transfer recorded the whole routing file and every agent's live state. A later one recorded the rules (not
 * the roster, which the floor holds), the offices' clocks, and the floor's answer with its top candidates and
 * their live state: its agents come from `roster` (the routing file the command reads).
 */
function recordedRouting(history: TransferHistory, events: readonly HistoryEvent[], roster: readonly PolicyAgent[] | undefined): Recorded | { skip: string } {
  const workflowType = events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
  if (workflowType && workflowType !== 'transferCall') return { skip: SKIP.notTransfer };
  const request = history.request;
  if (!request) return { skip: encrypted(events) ? SKIP.unreadable : SKIP.noRouting };
  const result = (activity: string) => history.localResults.find((local) => local.activity === activity && !local.failed)?.result;
  const routed = history.memo.routing as RoutedMemo | undefined;
  const whole = result('loadRoutingPolicy') as RoutingPolicy | undefined;
  const snapshot = result('loadRoutingRules') as RoutingRulesSnapshot | undefined;
  if ((!whole && !snapshot) || !routed?.choice) return { skip: SKIP.noRouting };
  if (!whole && !roster) return { skip: SKIP.noRoster };
  const policy: RoutingPolicy = whole ?? { ...snapshot!.rules, agents: [...roster!] };
  const reserved = result('reserveAgent') as ReserveAgentResult | undefined;
  return {
    request,
    policy,
    customer: (result('enrichCustomer') as CustomerProfile | undefined) ?? CRM_UNREACHABLE_CUSTOMER,
    tone: (result('assessTone') as ToneAssessment | undefined) ?? NEUTRAL_TONE,
    agents: (result('loadAgentStates') as Record<string, AgentLiveState> | undefined) ?? reserved?.reservation?.live ?? {},
    at: routed.at,
    ...(snapshot ? { clocks: snapshot.clocks } : {}),
    before: viewOf({ department: routed.department, decidedBy: routed.decidedBy, mode: routed.mode, choice: routed.choice, waitsInLine: routed.waitsInLine === true }, policy),
    reasons: routed.reasons,
  };
}

/**
 * The decision this checkout's routing code makes from the recorded inputs and `policy`, reserving nothing: as
 * a transfer decides, rules 1-7, then rules 8-11 and the line on a floor as the recorded live states describe it
 * (nobody else waiting: the what-if cannot know who waited then).
 */
function decideAgain(recorded: Recorded, policy: RoutingPolicy): { view: DecisionView; reasons: string[] } {
  const { agents, ...rules } = policy;
  const input = { customer: recorded.customer, tone: recorded.tone, agents: {}, at: recorded.at, ...(recorded.clocks ? { clocks: recorded.clocks } : {}) };
  const state = routeRules(routingInput(recorded.request, { ...input, policy: { ...rules, agents: [] } }));
  const criteria = criteriaOf(state);
  let decision;
  if (criteria) {
    const at = Date.parse(recorded.at);
    const roster: Roster = {
      version: 'what-if',
      agents,
      departments: rules.departments.map((department) => ({ id: department.id, ...DEFAULT_AFTER_CALL, ...(department.queue ? { queue: department.queue } : {}) })),
    };
    const line = recorded.request.mode === 'control-url' ? { priority: priorityClass(recorded.customer.tier, recorded.request.urgency) } : undefined;
    const reservation = FloorModel.fromLiveStates(roster, recorded.agents, at).reserve('what-if', criteria, 60, at, line);
    decision = decideWithFloor(state, { reservation, destinations: Object.fromEntries(agents.map((agent) => [agent.id, agent.destination])) });
  } else {
    decision = decideWithFloor(state, { unreserved: 'no agent needed' });
  }
  return { view: viewOf({ ...decision, decidedBy: decision.trace.decidedBy, choice: decision.trace.choice, waitsInLine: decision.queued !== undefined }, policy), reasons: decision.reasons };
}

/** A decision's first choice as the report shows it, its destination named against the routing file it was made with. */
function viewOf(decided: { department: string | null; decidedBy: string; mode: string; choice: RoutedMemo['choice']; waitsInLine: boolean }, policy: RoutingPolicy): DecisionView {
  const { agentId, destination } = decided.choice;
  return {
    department: decided.department,
    agentId,
    mode: decided.mode,
    destination: destinationOf(destination),
    label: decided.waitsInLine && decided.department ? waitsInLineLabel(decided.department) : destinationLabel({ agentId, department: decided.department, decidedBy: decided.decidedBy, destination }, policy),
    waitsInLine: decided.waitsInLine,
  };
}

function kindsOf(before: DecisionView, after: DecisionView): ChangeKind[] {
  const kinds: ChangeKind[] = [];
  if (before.department !== after.department) kinds.push('other department');
  if (before.agentId !== after.agentId) kinds.push('other agent');
  if (before.mode !== after.mode) kinds.push('other mode');
  if (before.agentId === null && after.agentId === null && before.destination !== after.destination) kinds.push('other destination line');
  if (!before.waitsInLine && after.waitsInLine) kinds.push('waits in line');
  if (before.waitsInLine && !after.waitsInLine) kinds.push('no longer waits');
  return kinds;
}

/** The recorded reasons may carry what the reservation added; those are not rules and are left out. */
function routingReasons(reasons: readonly string[]): string[] {
  return reasons.filter((reason) => !/taken by (another call|other calls) a moment ago/.test(reason));
}

function firstDifference(before: readonly string[], after: readonly string[]): TransferDiff['firstDifference'] {
  for (let i = 0; i < Math.max(before.length, after.length); i += 1) {
    if (before[i] !== after[i]) return { before: before[i] ?? null, after: after[i] ?? null };
  }
  return null;
}

type ReadRun = { workflowId: string; runId: string; startedAt: number; recorded: Recorded | { skip: string } };

/**
 * One entry per transfer, not per run: an operator's retry runs the same workflow id again, and the transfer is
 * the latest run that recorded a routing decision (else its latest run, to count why it was skipped).
 */
async function latestRunOfEachTransfer(histories: AsyncIterable<HistoryAndWorkflowId>, converter: LoadedDataConverter, roster: readonly PolicyAgent[] | undefined): Promise<ReadRun[]> {
  const byTransfer = new Map<string, ReadRun>();
  const routed = (run: ReadRun) => ('skip' in run.recorded ? 0 : 1);
  const preferred = (run: ReadRun, kept: ReadRun | undefined) => !kept || (routed(run) - routed(kept) || run.startedAt - kept.startedAt) >= 0;
  for await (const { workflowId, history } of histories) {
    const events = (history as temporal.api.history.v1.IHistory).events ?? [];
    const started = events[0];
    const run: ReadRun = {
      workflowId,
      runId: started?.workflowExecutionStartedEventAttributes?.originalExecutionRunId ?? '',
      startedAt: Number(started?.eventTime?.seconds ?? 0) * 1000 + Math.floor((started?.eventTime?.nanos ?? 0) / 1e6),
      recorded: recordedRouting(await readTransferHistory(converter, events), events, roster),
    };
    if (preferred(run, byTransfer.get(workflowId))) byTransfer.set(workflowId, run);
  }
  return [...byTransfer.values()];
}

/**
 * For each recorded transfer: the inputs routing saw (from its history: the routing file, the CRM profile,
 * the caller's tone, agents' live state, the as-of time), decided again with this checkout's routing code
 * and `candidate` (or the file recorded in the history when there is none, which isolates a code change),
 * compared with the decision the history recorded. Reads only: nothing is started, reserved or sent.
 */
export async function diffRouting(
  histories: AsyncIterable<HistoryAndWorkflowId>,
  options: {
    converter: LoadedDataConverter;
    candidate?: RoutingPolicy;
    /** The agents to decide with when a transfer did not record them (generation 2): the routing file the command reads. */
    roster?: readonly PolicyAgent[];
  },
): Promise<RoutingDiffReport> {
  const report: RoutingDiffReport = {
    compared: 0,
    changed: 0,
    unchanged: 0,
    skipped: 0,
    skippedWhy: {},
    unreadable: 0,
    byDepartment: {},
    byKind: {},
    agentsTreatedAsAvailable: [],
    transfers: [],
  };
  const treatedAsAvailable = new Set<string>();
  for (const { workflowId, runId, recorded } of await latestRunOfEachTransfer(histories, options.converter, options.candidate?.agents ?? options.roster)) {
    if ('skip' in recorded) {
      report.skipped += 1;
      report.skippedWhy[recorded.skip] = (report.skippedWhy[recorded.skip] ?? 0) + 1;
      if (recorded.skip === SKIP.unreadable) report.unreadable += 1;
      continue;
    }
    const policy = options.candidate ?? recorded.policy;
    for (const agent of policy.agents) if (!(agent.id in recorded.agents)) treatedAsAvailable.add(agent.id);
    const after = decideAgain(recorded, policy);
    report.compared += 1;
    const kinds = kindsOf(recorded.before, after.view);
    if (kinds.length === 0) {
      report.unchanged += 1;
      continue;
    }
    report.changed += 1;
    const department = recorded.before.department ?? 'general';
    report.byDepartment[department] = (report.byDepartment[department] ?? 0) + 1;
    for (const kind of kinds) report.byKind[kind] = (report.byKind[kind] ?? 0) + 1;
    const before = routingReasons(recorded.reasons);
    report.transfers.push({
      workflowId,
      runId,
      before: recorded.before,
      after: { ...after.view, agentIs: 'ranked' },
      kinds,
      reasons: { before, after: after.reasons },
      firstDifference: firstDifference(before, after.reasons),
    });
  }
  report.agentsTreatedAsAvailable = [...treatedAsAvailable].sort();
  return report;
}

function describe(view: DecisionView): string {
  return `${view.department ?? 'general'}: ${view.label} ${view.destination} (${view.mode})`;
}

/** The report for people: the summary, the changes grouped, then one line per changed transfer. */
export function formatRoutingDiff(report: RoutingDiffReport, candidateName: string | null): string {
  const lines: string[] = [];
  const skipped = Object.entries(report.skippedWhy).map(([why, count]) => `${count} ${why}`);
  lines.push(
    `Routing diff against ${candidateName ?? 'the routing file each transfer recorded (isolates a change of routing code)'}: ` +
      `${report.compared} transfers compared, ${report.changed} changed, ${report.unchanged} unchanged, ${report.skipped} skipped` +
      `${skipped.length > 0 ? ` (${skipped.join('; ')})` : ''}.`,
  );
  lines.push('Reservations are not replayed: "after" is the first-ranked agent (ranked), not a reservation. Nothing was started, reserved or sent.');
  if (report.agentsTreatedAsAvailable.length > 0) {
    lines.push(
      `Not in the live state recorded with every transfer, treated as available with no active transfers: ${report.agentsTreatedAsAvailable.join(', ')}.`,
    );
  }
  if (report.changed > 0) {
    lines.push('');
    lines.push(`By department: ${Object.entries(report.byDepartment).map(([department, count]) => `${department} ${count}`).join(', ')}`);
    lines.push(`By kind: ${CHANGE_KINDS.filter((kind) => report.byKind[kind]).map((kind) => `${kind} ${report.byKind[kind]}`).join(', ')}`);
    lines.push('');
    for (const transfer of report.transfers) {
      lines.push(`${transfer.workflowId}`);
      lines.push(`  ${describe(transfer.before)}  →  ${describe(transfer.after)} [ranked]`);
      if (transfer.firstDifference) {
        lines.push(`  first different reason: ${transfer.firstDifference.before ?? '(none)'}  →  ${transfer.firstDifference.after ?? '(none)'}`);
      }
    }
  }
  return lines.join('\n');
}
