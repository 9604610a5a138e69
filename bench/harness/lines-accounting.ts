import type { LatencySummary } from './stats';
import { summarize } from './stats';

/**
 * What became of each caller of a `--lines` run, judged from what Vapi's side saw (the control commands, the
 * hang-ups the fake Vapi sent) and what each transfer recorded (its outcome search attribute). Pure, so the
 * rules are unit-tested; times are the harness's clock (performance.now(), ms).
 */

/** One control command as the fake control URL received it. */
export interface LineCommand {
  at: number;
  type: string;
  /** A transfer's destination (`destinationKey`). */
  destination?: string;
  /** An add-message's text. */
  content?: string;
}

export interface LineCall {
  callId: string;
  department: string;
  /** The office routing gives the caller: only its agents can take them. */
  office: string;
  sentAt: number;
  /** The webhook was answered 2xx. */
  accepted: boolean;
  /** In arrival order. */
  commands: readonly LineCommand[];
  /** When the fake Vapi sent the caller's hang-up (`status-update` `ended`), if it did. */
  hangUpAt?: number;
  /** The transfer's recorded outcome (`TransferOutcome`), `running` when not ended; unknown: not read. */
  outcome?: string;
  /** From the transfer's history: when the floor answered its reservation (for a caller who waits: put them in line). */
  floorJoinedAt?: number;
  /** From the transfer's history: when the floor's word that an agent is theirs reached the transfer. */
  assignedAt?: number;
}

export interface LinesRules {
  /** Agent id by transfer destination. */
  agentsByDestination: ReadonlyMap<string, string>;
  /** Department by the destination of its phone line (where overflow goes). */
  departmentLines: ReadonlyMap<string, string>;
  maxWaitSeconds: number;
  /**
   * Slack on the max-wait checks: the wait here runs from the add-message (sent after the floor put the caller
   * in line) to the transfer POST (sent after the decision), so it differs from the floor's own by that much.
   */
  toleranceMs: number;
}

export type CallEnd =
  /** Transferred to an agent without waiting. */
  | 'served-at-once'
  /** Waited in line, then transferred to an agent. */
  | 'served-from-line'
  /** Hung up while waiting; never transferred. */
  | 'abandoned'
  /** Waited, then sent to the department's phone line. */
  | 'overflow-max-wait'
  /** Sent to the department's phone line without waiting: the line was full (or nobody could take them). */
  | 'overflow-line-full'
  /** Transferred somewhere else (another line). */
  | 'elsewhere'
  /** Accepted, never transferred, never hung up: the failure this accounting exists to find. */
  | 'lost'
  /** The webhook was never answered 2xx: Vapi was told. */
  | 'refused';

export const CALL_ENDS: readonly CallEnd[] = ['served-at-once', 'served-from-line', 'abandoned', 'overflow-max-wait', 'overflow-line-full', 'elsewhere', 'lost', 'refused'];

export interface CallVerdict {
  callId: string;
  end: CallEnd;
  department: string;
  office: string;
  /** When the floor put the caller in line (their history), else the first add-message telling their place. */
  joinedAt?: number;
  /** The first add-message telling the assistant the caller's place. */
  toldAt?: number;
  /** When the floor's word that an agent is theirs reached the transfer (history). */
  assignedAt?: number;
  /** The first transfer POST. */
  transferAt?: number;
  /** joinedAt → transfer POST (or → hang-up when abandoned). */
  waitMs?: number;
  /** The agent of the first transfer, if it went to one. */
  agentId?: string;
  /** Transfer POSTs to agents (more than one: served twice). */
  agentTransfers: number;
  transfers: number;
  problems: string[];
}

export interface LinesAccounting {
  calls: number;
  accepted: number;
  ends: Record<CallEnd, number>;
  /** Callers told their place in a line. */
  joined: number;
  /** Hang-ups the fake Vapi sent (to callers still waiting). */
  hangUps: number;
  /** joined → transfer POST of callers served from the line. */
  waitMs: LatencySummary;
  /** joined → transfer POST of callers sent on after the longest wait. */
  overflowWaitMs: LatencySummary;
  /** joined → hang-up of those who abandoned. */
  abandonedAfterMs: LatencySummary;
  /** Each a failure of the run. */
  lost: string[];
  servedTwice: string[];
  transferredAfterHangUp: { callId: string; afterMs: number }[];
  /** Hung up while waiting, but the transfer recorded something other than `abandoned` (or `caller-hung-up` once given an agent). */
  abandonNotRecorded: { callId: string; outcome: string }[];
  /** Hung up after the floor had given them an agent, before the POST: the transfer ends `caller-hung-up`. */
  abandonedAfterAssignment: number;
  /** Recorded `abandoned` although nobody hung up. */
  abandonedWithoutHangUp: string[];
  servedPastMaxWait: { callId: string; waitMs: number }[];
  overflowBeforeMaxWait: { callId: string; waitMs: number }[];
  /** Workflows still running at the end (`running`). */
  stillRunning: string[];
  verdicts: CallVerdict[];
}

/** The add-message a transfer sends when the caller joins a line (src/workflows/transfer/line.ts, placeMessage 'joined'). */
const JOINED = /agent is busy\. The caller is (?:next|number \d+) in line/;

export function isJoinedMessage(content: string | undefined): boolean {
  return content !== undefined && JOINED.test(content);
}

/** One caller's end, and what is wrong with it. */
export function judgeCall(call: LineCall, rules: LinesRules): CallVerdict {
  const transfers = call.commands.filter((command) => command.type === 'transfer');
  const first = transfers[0];
  const joined = call.commands.find((command) => command.type === 'add-message' && isJoinedMessage(command.content) && (!first || command.at <= first.at));
  const agentTransfers = transfers.filter((command) => command.destination !== undefined && rules.agentsByDestination.has(command.destination)).length;
  const agentId = first?.destination !== undefined ? rules.agentsByDestination.get(first.destination) : undefined;
  const toLine = first?.destination !== undefined ? rules.departmentLines.get(first.destination) : undefined;
  const problems: string[] = [];
  const maxWaitMs = rules.maxWaitSeconds * 1000;

  let end: CallEnd;
  if (!call.accepted) end = 'refused';
  else if (agentId) end = joined ? 'served-from-line' : 'served-at-once';
  else if (toLine !== undefined) end = joined ? 'overflow-max-wait' : 'overflow-line-full';
  else if (first) end = 'elsewhere';
  else if (call.hangUpAt !== undefined) end = 'abandoned';
  else end = 'lost';

  const joinedAt = joined ? (call.floorJoinedAt ?? joined.at) : undefined;
  const waitMs = joinedAt !== undefined && first ? first.at - joinedAt : joinedAt !== undefined && end === 'abandoned' ? call.hangUpAt! - joinedAt : undefined;
  // Given an agent before the hang-up reached the transfer: it had left the line already, and ends as any caller gone before the POST.
  const abandonedAs = end === 'abandoned' && call.assignedAt !== undefined ? ['abandoned', 'caller-hung-up'] : ['abandoned'];
  if (toLine !== undefined && toLine !== call.department) problems.push(`sent to ${toLine}'s line, asked for ${call.department}`);
  if (agentTransfers > 1) problems.push(`transferred to agents ${agentTransfers} times`);
  if (first && call.hangUpAt !== undefined && first.at > call.hangUpAt) problems.push(`transferred ${Math.round(first.at - call.hangUpAt)} ms after the caller hung up`);
  if (end === 'served-from-line' && waitMs! > maxWaitMs + rules.toleranceMs) problems.push(`served after ${Math.round(waitMs!)} ms in line, past the ${rules.maxWaitSeconds} s limit`);
  if (end === 'overflow-max-wait' && waitMs! < maxWaitMs - rules.toleranceMs) problems.push(`sent to the department line after ${Math.round(waitMs!)} ms in line, before the ${rules.maxWaitSeconds} s limit`);
  if (call.accepted && call.outcome !== undefined) {
    if (end === 'abandoned' && !abandonedAs.includes(call.outcome)) problems.push(`hung up while waiting, recorded ${call.outcome}`);
    if (call.outcome === 'abandoned' && call.hangUpAt === undefined) problems.push('recorded abandoned, but nobody hung up');
    if (call.outcome === 'running') problems.push('still running');
  }
  if (end === 'lost') problems.push('accepted, never transferred, never hung up');
  return {
    callId: call.callId,
    end,
    department: call.department,
    office: call.office,
    ...(joinedAt !== undefined ? { joinedAt, toldAt: joined!.at } : {}),
    ...(call.assignedAt !== undefined ? { assignedAt: call.assignedAt } : {}),
    ...(first ? { transferAt: first.at } : {}),
    ...(waitMs !== undefined ? { waitMs } : {}),
    ...(agentId ? { agentId } : {}),
    agentTransfers,
    transfers: transfers.length,
    problems,
  };
}

export function accountLines(calls: readonly LineCall[], rules: LinesRules): LinesAccounting {
  const verdicts = calls.map((call) => judgeCall(call, rules));
  const ends = Object.fromEntries(CALL_ENDS.map((end) => [end, 0])) as Record<CallEnd, number>;
  for (const verdict of verdicts) ends[verdict.end] += 1;
  const byId = new Map(calls.map((call) => [call.callId, call]));
  const waits = (end: CallEnd) => verdicts.filter((verdict) => verdict.end === end && verdict.waitMs !== undefined).map((verdict) => verdict.waitMs!);
  const maxWaitMs = rules.maxWaitSeconds * 1000;
  return {
    calls: calls.length,
    accepted: calls.filter((call) => call.accepted).length,
    ends,
    joined: verdicts.filter((verdict) => verdict.joinedAt !== undefined).length,
    hangUps: calls.filter((call) => call.hangUpAt !== undefined).length,
    waitMs: summarize(waits('served-from-line')),
    overflowWaitMs: summarize(waits('overflow-max-wait')),
    abandonedAfterMs: summarize(waits('abandoned')),
    lost: verdicts.filter((verdict) => verdict.end === 'lost').map((verdict) => verdict.callId),
    servedTwice: verdicts.filter((verdict) => verdict.agentTransfers > 1).map((verdict) => verdict.callId),
    transferredAfterHangUp: verdicts.flatMap((verdict) => {
      const hangUpAt = byId.get(verdict.callId)!.hangUpAt;
      return verdict.transferAt !== undefined && hangUpAt !== undefined && verdict.transferAt > hangUpAt ? [{ callId: verdict.callId, afterMs: verdict.transferAt - hangUpAt }] : [];
    }),
    abandonNotRecorded: verdicts.flatMap((verdict) => {
      const outcome = byId.get(verdict.callId)!.outcome;
      return verdict.end === 'abandoned' && outcome !== undefined && verdict.problems.some((problem) => problem.startsWith('hung up while waiting, recorded')) ? [{ callId: verdict.callId, outcome }] : [];
    }),
    abandonedAfterAssignment: verdicts.filter((verdict) => verdict.end === 'abandoned' && verdict.assignedAt !== undefined).length,
    abandonedWithoutHangUp: calls.filter((call) => call.outcome === 'abandoned' && call.hangUpAt === undefined).map((call) => call.callId),
    servedPastMaxWait: verdicts.filter((verdict) => verdict.end === 'served-from-line' && verdict.waitMs! > maxWaitMs + rules.toleranceMs).map((verdict) => ({ callId: verdict.callId, waitMs: verdict.waitMs! })),
    overflowBeforeMaxWait: verdicts.filter((verdict) => verdict.end === 'overflow-max-wait' && verdict.waitMs! < maxWaitMs - rules.toleranceMs).map((verdict) => ({ callId: verdict.callId, waitMs: verdict.waitMs! })),
    stillRunning: calls.filter((call) => call.accepted && call.outcome === 'running').map((call) => call.callId),
    verdicts,
  };
}

/** An agent marked ready: when the harness sent the mark, and when the API answered it. */
export interface ReadyMark {
  agentId: string;
  sentAt: number;
  answeredAt?: number;
}

export interface DeskAgent {
  id: string;
  office: string;
  skills: readonly string[];
}

export type MarkVerdict =
  /** Nobody this agent could take was waiting: the mark is not timed. */
  | 'nobody-waiting'
  /** Someone was waiting, and the agent's next transfer took a caller in line while the floor handled the mark: timed. */
  | 'served-line'
  /**
   * Everyone this agent could take left the line by other means in time: another agent freed before this
   * mark was answered took them, or they hung up or ran out of time around it. Not timed: the agent was owed nobody.
   */
  | 'raced'
  /** Someone was owed this agent and did not get them: the agent's next transfer went to a caller who came later, or none came. */
  | 'missed';

export interface TimedMark {
  agentId: string;
  sentAt: number;
  /** When the API answered it 2xx (the floor's Update done). */
  answeredAt?: number;
  verdict: MarkVerdict;
  /** Waiting callers this agent could take when the mark was sent. */
  waiting: number;
  /** Mark sent → the agent's next transfer POST; undefined when none came. */
  delayMs?: number;
  nextCallId?: string;
}

export interface ReadinessReport {
  marks: number;
  counts: Record<MarkVerdict, number>;
  /** Mark sent → next transfer POST to that agent, over marks that had someone waiting and were not raced. */
  delayMs: LatencySummary;
  /** Missed marks (each a finding): an agent freed while a caller they could take waited, and not given them. */
  missed: TimedMark[];
  /** The slowest timed marks, for the report. */
  slowest: TimedMark[];
  timed: TimedMark[];
}

/** Grace after a caller's hang-up or overflow during which a mark racing it is not held against the floor. */
const LEAVING_GRACE_MS = 1_000;

/**
 * Time from each ready mark to the agent's next transfer POST, counting only marks that had someone waiting
 * whom that agent could take (their department is one of the agent's skills, their office the agent's). A
 * caller waits from joining (see {@link CallVerdict.joinedAt}) until the floor's word of their agent reached
 * them, else their first transfer POST or their hang-up.
 */
export function readyToTransfer(marks: readonly ReadyMark[], verdicts: readonly CallVerdict[], calls: readonly Pick<LineCall, 'callId' | 'hangUpAt'>[], agents: readonly DeskAgent[]): ReadinessReport {
  const desk = new Map(agents.map((agent) => [agent.id, agent]));
  const hangUps = new Map(calls.map((call) => [call.callId, call.hangUpAt]));
  const waiters = verdicts
    .filter((verdict) => verdict.joinedAt !== undefined)
    .map((verdict) => ({ verdict, from: verdict.joinedAt!, to: verdict.assignedAt ?? verdict.transferAt ?? hangUps.get(verdict.callId) ?? Number.POSITIVE_INFINITY }));
  const postsByAgent = new Map<string, CallVerdict[]>();
  for (const verdict of verdicts) {
    if (verdict.agentId === undefined || verdict.transferAt === undefined) continue;
    const list = postsByAgent.get(verdict.agentId) ?? [];
    list.push(verdict);
    postsByAgent.set(verdict.agentId, list);
  }
  for (const list of postsByAgent.values()) list.sort((a, b) => a.transferAt! - b.transferAt!);
  const marksByAgent = new Map<string, ReadyMark[]>();
  for (const mark of marks) marksByAgent.set(mark.agentId, [...(marksByAgent.get(mark.agentId) ?? []), mark]);
  for (const list of marksByAgent.values()) list.sort((a, b) => a.sentAt - b.sentAt);
  /** The mark that freed `agentId` for a transfer at `at`: their last one sent before it. */
  const markBefore = (agentId: string, at: number) => (marksByAgent.get(agentId) ?? []).filter((mark) => mark.sentAt <= at).at(-1);

  const timed: TimedMark[] = marks.map((mark) => {
    const agent = desk.get(mark.agentId);
    const answeredAt = mark.answeredAt ?? mark.sentAt;
    const owed = waiters.filter(({ verdict, from, to }) => from <= mark.sentAt && mark.sentAt < to && agent !== undefined && agent.office === verdict.office && agent.skills.includes(verdict.department));
    const base = { agentId: mark.agentId, sentAt: mark.sentAt, ...(mark.answeredAt !== undefined ? { answeredAt: mark.answeredAt } : {}), waiting: owed.length };
    if (owed.length === 0) return { ...base, verdict: 'nobody-waiting' as const };
    const next = (postsByAgent.get(mark.agentId) ?? []).find((post) => post.transferAt! >= mark.sentAt);
    const timing = next ? { delayMs: next.transferAt! - mark.sentAt, nextCallId: next.callId } : {};
    // The floor handles the mark somewhere between its sending and its answer: a caller in line by then (a
    // priority caller who joined meanwhile goes first) is as much the agent's as one waiting when it left.
    const waitingWhileHandled = (verdict: CallVerdict) =>
      verdict.joinedAt !== undefined && verdict.joinedAt <= answeredAt && (verdict.assignedAt ?? verdict.transferAt!) >= mark.sentAt && agent !== undefined && agent.office === verdict.office && agent.skills.includes(verdict.department);
    if (next && (owed.some(({ verdict }) => verdict.callId === next.callId) || waitingWhileHandled(next))) return { ...base, ...timing, verdict: 'served-line' as const };
    // The agent got nobody from the line: fair only if everyone they could have taken went another way in time.
    // Who an agent freed first takes is settled on the floor then, however long that agent's POST takes after.
    const tookOtherwise = owed.every(({ verdict, to }) => {
      if (verdict.agentId !== undefined && verdict.agentId !== mark.agentId && verdict.end === 'served-from-line') {
        const freedBy = markBefore(verdict.agentId, verdict.transferAt!);
        return freedBy === undefined || freedBy.sentAt <= answeredAt;
      }
      return to <= answeredAt + LEAVING_GRACE_MS;
    });
    return { ...base, ...timing, verdict: tookOtherwise ? ('raced' as const) : ('missed' as const) };
  });
  const counts: Record<MarkVerdict, number> = { 'nobody-waiting': 0, 'served-line': 0, raced: 0, missed: 0 };
  for (const mark of timed) counts[mark.verdict] += 1;
  const served = timed.filter((mark) => mark.verdict === 'served-line');
  return {
    marks: marks.length,
    counts,
    delayMs: summarize(served.map((mark) => mark.delayMs!)),
    missed: timed.filter((mark) => mark.verdict === 'missed'),
    slowest: [...served].sort((a, b) => b.delayMs! - a.delayMs!).slice(0, 5),
    timed,
  };
}

/** The lines' length, as sampled from the floor (GET /queues) once a second. */
export interface LineSample {
  at: number;
  /** Waiting per department. */
  waiting: Record<string, number>;
  oldestWaitSeconds: number | null;
}

export interface LineTrend {
  samples: number;
  peak: { waiting: number; atSeconds: number };
  /** Most waiting in one department's line at once. */
  peakPerDepartment: Record<string, number>;
  /** Seconds after the load stopped until no one waited (null: never, within the samples). */
  drainedAfterSeconds: number | null;
  /** Total waiting every `everySeconds`, from the load's start. */
  series: { atSeconds: number; waiting: number; oldestWaitSeconds: number | null }[];
  /** The sampled lines grew while the load ran and were empty again after it. */
  grewAndDrained: boolean;
}

export function lineTrend(samples: readonly LineSample[], loadStartedAt: number, loadEndedAt: number, everySeconds = 5): LineTrend {
  const total = (sample: LineSample) => Object.values(sample.waiting).reduce((sum, count) => sum + count, 0);
  let peak = { waiting: 0, atSeconds: 0 };
  const peakPerDepartment: Record<string, number> = {};
  for (const sample of samples) {
    const waiting = total(sample);
    if (waiting > peak.waiting) peak = { waiting, atSeconds: (sample.at - loadStartedAt) / 1000 };
    for (const [department, count] of Object.entries(sample.waiting)) peakPerDepartment[department] = Math.max(peakPerDepartment[department] ?? 0, count);
  }
  const drained = samples.find((sample) => sample.at >= loadEndedAt && total(sample) === 0);
  const series: LineTrend['series'] = [];
  let nextAt = 0;
  for (const sample of samples) {
    const atSeconds = (sample.at - loadStartedAt) / 1000;
    if (atSeconds + 0.5 < nextAt) continue;
    series.push({ atSeconds: Math.round(atSeconds), waiting: total(sample), oldestWaitSeconds: sample.oldestWaitSeconds });
    nextAt += everySeconds;
    while (nextAt <= atSeconds) nextAt += everySeconds;
  }
  return {
    samples: samples.length,
    peak,
    peakPerDepartment,
    drainedAfterSeconds: drained ? (drained.at - loadEndedAt) / 1000 : null,
    series,
    grewAndDrained: peak.waiting > 0 && drained !== undefined,
  };
}

/**
 * Callers turned away because their department's line was full, against the line as sampled around that moment
 * (once a second, so within `slack` of max-waiting counts as full): any turned away from a line well short of
 * full is a finding.
 */
export function lineFullOverflows(verdicts: readonly CallVerdict[], samples: readonly LineSample[], maxWaiting: number, options: { windowMs?: number; slack?: number } = {}): { count: number; notNearFull: { callId: string; sampledMax: number | null }[] } {
  const windowMs = options.windowMs ?? 2_000;
  const slack = options.slack ?? 3;
  const turnedAway = verdicts.filter((verdict) => verdict.end === 'overflow-line-full');
  const notNearFull = turnedAway.flatMap((verdict) => {
    const around = samples.filter((sample) => Math.abs(sample.at - verdict.transferAt!) <= windowMs).map((sample) => sample.waiting[verdict.department] ?? 0);
    const sampledMax = around.length > 0 ? Math.max(...around) : null;
    return sampledMax !== null && sampledMax >= maxWaiting - slack ? [] : [{ callId: verdict.callId, sampledMax }];
  });
  return { count: turnedAway.length, notNearFull };
}

/**
 * Agents given a caller with no ready mark since their previous one: freed by something other than the mark
 * (their after-call time running out because the mark was lost on the floor, say) or held twice at once.
 * Each agent here takes one call at a time and is marked ready after every transfer to them, so any is a finding.
 */
export function reusedWithoutMark(verdicts: readonly CallVerdict[], marks: readonly ReadyMark[]): { agentId: string; callId: string; afterPreviousMs: number }[] {
  const posts = new Map<string, CallVerdict[]>();
  for (const verdict of verdicts) {
    if (verdict.agentId === undefined || verdict.transferAt === undefined) continue;
    posts.set(verdict.agentId, [...(posts.get(verdict.agentId) ?? []), verdict]);
  }
  const found: { agentId: string; callId: string; afterPreviousMs: number }[] = [];
  for (const [agentId, list] of posts) {
    list.sort((a, b) => a.transferAt! - b.transferAt!);
    for (let index = 1; index < list.length; index += 1) {
      const previous = list[index - 1]!.transferAt!;
      const next = list[index]!;
      if (!marks.some((mark) => mark.agentId === agentId && mark.sentAt > previous && mark.sentAt <= next.transferAt!)) {
        found.push({ agentId, callId: next.callId, afterPreviousMs: next.transferAt! - previous });
      }
    }
  }
  return found;
}
