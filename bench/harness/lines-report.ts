import type { LinesAccounting, LineTrend, ReadinessReport } from './lines-accounting';
import { CALL_ENDS } from './lines-accounting';
import type { LinesSizing } from './lines-center';
import type { FloorWork, ReadyPathSummary } from './lines-histories';
import type { MachineInfo } from './machine';
import type { ProcessUsage } from './proc-stats';
import type { LatencySummary } from './stats';

export interface LinesCheck {
  check: string;
  measured: string;
  met: boolean;
}

export interface LinesReport {
  startedAt: string;
  command: string;
  machine: MachineInfo;
  /** /proc/loadavg when the run started. */
  loadavgAtStart: string;
  setup: string;
  contactCenter: { file: string; seed: number; agents: number; departments: string[]; offices: string[] };
  sizing: LinesSizing;
  load: { arrivalsPerSecond: number; durationSeconds: number; calls: number; handleTimeSeconds: { min: number; max: number }; abandonShare: number };
  accounting: Omit<LinesAccounting, 'verdicts'>;
  readiness: Omit<ReadinessReport, 'timed'>;
  /** The timed marks' delay split at the served caller's history. */
  readyPath: ReadyPathSummary;
  /** The floor workflow's tasks over the phase (null: its histories could not be read). */
  floor: FloorWork | null;
  /** Accepted calls whose transfer history could not be read (their join and assignment times fall back to the commands). */
  unreadHistories: number;
  trend: LineTrend;
  lineFull: { count: number; notNearFull: { callId: string; sampledMax: number | null }[] };
  /** Agents given a caller with no ready mark since their previous one (see reusedWithoutMark). */
  reusedWithoutMark: { agentId: string; callId: string; afterPreviousMs: number }[];
  /** Recorded outcomes of the accepted calls (TransferOutcome search attribute), by outcome. */
  outcomes: Record<string, number>;
  ackMs: LatencySummary;
  answers: Record<string, number>;
  generatorMaxLagMs: number;
  readyCalls: { scheduled: number; sent: number; accepted: number };
  hangUps: { planned: number; sent: number; accepted: number };
  sampleErrors: number;
  drain: { drainedAfterSeconds: number; timedOut: boolean };
  usage: ProcessUsage[];
  machineCpuPercent: number;
  checks: LinesCheck[];
}

const ms = (value: number) => (Number.isFinite(value) ? (value >= 100 ? value.toFixed(0) : value.toFixed(1)) : '–');
const s = (valueMs: number) => (Number.isFinite(valueMs) ? (valueMs / 1000).toFixed(1) : '–');
const list = (ids: readonly string[], max = 5) => (ids.length === 0 ? 'none' : `${ids.length} (${ids.slice(0, max).join(', ')}${ids.length > max ? ', …' : ''})`);

/** The checks the issue asks for, judged on a run's figures. */
export function linesChecks(report: Omit<LinesReport, 'checks'>, targetP99Ms = 500): LinesCheck[] {
  const { accounting: a, readiness: r, trend, sizing, lineFull } = report;
  const overPeak = Object.entries(trend.peakPerDepartment).filter(([, peak]) => peak > sizing.maxWaiting);
  return [
    {
      check: `ready mark sent → that agent's transfer POST, p99 ≤ ${targetP99Ms} ms (marks with someone waiting)`,
      measured: `p50 ${ms(r.delayMs.p50)} / p99 ${ms(r.delayMs.p99)} / max ${ms(r.delayMs.max)} ms over ${r.delayMs.count} marks`,
      met: r.delayMs.count > 0 && r.delayMs.p99 <= targetP99Ms,
    },
    {
      check: 'none lost: every accepted call transferred or hung up, and its workflow ended',
      measured: `lost ${list(a.lost)}; still running ${list(a.stillRunning)}${report.drain.timedOut ? '; the drain timed out' : ''}`,
      met: a.lost.length === 0 && a.stillRunning.length === 0 && !report.drain.timedOut,
    },
    { check: 'none served twice: at most one transfer to an agent per call', measured: `served twice ${list(a.servedTwice)}`, met: a.servedTwice.length === 0 },
    {
      check: 'an agent marked ready while a caller they could take waits is given one',
      measured: `missed ${r.missed.length} of ${r.marks} marks${r.missed.length > 0 ? ` (${r.missed.slice(0, 3).map((mark) => `${mark.agentId}: ${mark.delayMs === undefined ? 'no transfer' : `${ms(mark.delayMs)} ms to a later caller`}`).join('; ')})` : ''}`,
      met: r.missed.length === 0,
    },
    {
      check: "every agent's next caller came after their ready mark (none freed by time, none held twice)",
      measured: report.reusedWithoutMark.length === 0 ? 'all' : `${report.reusedWithoutMark.length} not (${report.reusedWithoutMark.slice(0, 3).map((entry) => `${entry.agentId} ${s(entry.afterPreviousMs)} s after their previous`).join('; ')})`,
      met: report.reusedWithoutMark.length === 0,
    },
    {
      check: 'abandons as configured: each caller hung up while waiting recorded abandoned, never transferred; no other abandoned',
      measured: `${a.hangUps} hang-ups, ${a.ends.abandoned} abandoned; recorded otherwise ${a.abandonNotRecorded.length}; abandoned without a hang-up ${a.abandonedWithoutHangUp.length}; transferred after the hang-up ${a.transferredAfterHangUp.length}`,
      met: a.hangUps === a.ends.abandoned && a.abandonNotRecorded.length === 0 && a.abandonedWithoutHangUp.length === 0 && a.transferredAfterHangUp.length === 0,
    },
    {
      check: `overflow as configured: past ${sizing.maxWaitSeconds} s to the department line, never before; no line beyond ${sizing.maxWaiting}; turned away only from a full line`,
      measured:
        `${a.ends['overflow-max-wait']} after the longest wait (${s(a.overflowWaitMs.min)}–${s(a.overflowWaitMs.max)} s in line), ${a.ends['overflow-line-full']} turned away; ` +
        `sent on early ${a.overflowBeforeMaxWait.length}, served past the limit ${a.servedPastMaxWait.length}; lines beyond max-waiting ${overPeak.length === 0 ? 'none' : overPeak.map(([id, peak]) => `${id} ${peak}`).join(', ')}; ` +
        `turned away from a line sampled short of full ${lineFull.notNearFull.length}`,
      met: a.overflowBeforeMaxWait.length === 0 && a.servedPastMaxWait.length === 0 && overPeak.length === 0 && lineFull.notNearFull.length === 0,
    },
    {
      check: 'the lines grow while the load runs and drain after it',
      measured: `peak ${trend.peak.waiting} waiting at ${trend.peak.atSeconds.toFixed(0)} s; empty ${trend.drainedAfterSeconds === null ? 'never (within the samples)' : `${trend.drainedAfterSeconds.toFixed(0)} s after the load stopped`}`,
      met: trend.grewAndDrained,
    },
  ];
}

export function linesMarkdown(report: LinesReport): string {
  const { accounting: a, readiness: r, trend, sizing, load } = report;
  const lines: string[] = [];
  const push = (...text: string[]) => lines.push(...text);
  push(`# Lines under load — ${report.startedAt}`, '', '```bash', report.command, '```', '');
  push(
    `Machine: ${report.machine.cpus} cores (${report.machine.cpuModel}), ${report.machine.memoryGiB} GiB, ${report.machine.kernel}, Node ${report.machine.node}, ${report.machine.temporalCli.split('\n').join(', ')}. Load at start (/proc/loadavg): ${report.loadavgAtStart}.`,
    '',
    `Setup: ${report.setup}.`,
    '',
    `Contact center (${report.contactCenter.file}, seed ${report.contactCenter.seed}): ${sizing.agents} agents, ${sizing.agentsPerOffice} in each of ${report.contactCenter.offices.join(', ')} (all open), each in two of ${report.contactCenter.departments.join(', ')}, one call at a time; handle time ${load.handleTimeSeconds.min}–${load.handleTimeSeconds.max} s (mean ${sizing.meanHandleSeconds} s): they serve ${sizing.servePerSecond.toFixed(2)} calls/s on paper. Every line: ${sizing.why}.`,
    '',
    `Load: ${load.calls} calls at ${load.arrivalsPerSecond}/s for ${load.durationSeconds} s, evenly over the four offices and three departments, then nothing while the lines drain. ${Math.round(load.abandonShare * 100)} % of the callers told they wait hang up after ${sizing.patienceSeconds.min}–${sizing.patienceSeconds.max} s (if still waiting then).`,
    '',
  );
  push('## Checks', '', '| check | measured | |', '| --- | --- | --- |');
  for (const check of report.checks) push(`| ${check.check} | ${check.measured} | ${check.met ? 'met' : '**not met**'} |`);
  push('', '## Callers', '', '| end | callers |', '| --- | ---: |');
  for (const end of CALL_ENDS) push(`| ${end} | ${a.ends[end]} |`);
  push(
    '',
    `Waits run from the floor putting the caller in line (their history's reserveAgent${report.unreadHistories > 0 ? `; ${report.unreadHistories} histories unread, from the add-message` : ''}) to the transfer POST. ${a.abandonedAfterAssignment} of those who hung up had been given an agent already (recorded caller-hung-up).`,
    '',
    `${a.accepted} of ${a.calls} webhooks answered 2xx (answers ${Object.entries(report.answers).map(([status, count]) => `${status}: ${count}`).join(', ')}); acknowledgement p50 / p99 ${ms(report.ackMs.p50)} / ${ms(report.ackMs.p99)} ms. ${a.joined} callers were told they wait. Recorded outcomes: ${Object.entries(report.outcomes).map(([outcome, count]) => `${outcome} ${count}`).join(', ') || 'not read'}.`,
    '',
    '| wait in line (joined → transfer POST) | n | p50 | p95 | p99 | max |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| served from the line | ${a.waitMs.count} | ${s(a.waitMs.p50)} s | ${s(a.waitMs.p95)} s | ${s(a.waitMs.p99)} s | ${s(a.waitMs.max)} s |`,
    `| sent on after the longest wait | ${a.overflowWaitMs.count} | ${s(a.overflowWaitMs.p50)} s | ${s(a.overflowWaitMs.p95)} s | ${s(a.overflowWaitMs.p99)} s | ${s(a.overflowWaitMs.max)} s |`,
    `| hung up (→ the hang-up) | ${a.abandonedAfterMs.count} | ${s(a.abandonedAfterMs.p50)} s | ${s(a.abandonedAfterMs.p95)} s | ${s(a.abandonedAfterMs.p99)} s | ${s(a.abandonedAfterMs.max)} s |`,
    '',
  );
  push(
    '## Ready mark → transfer',
    '',
    `${r.marks} ready marks sent (${report.readyCalls.accepted} answered 2xx): ${r.counts['served-line']} with someone waiting whom the agent's next transfer took, ${r.counts['nobody-waiting']} with nobody they could take waiting, ${r.counts.raced} raced (everyone they could take went to an agent freed before, or left), ${r.counts.missed} missed.`,
    '',
    `Mark sent → that agent's next transfer POST: p50 ${ms(r.delayMs.p50)} ms, p95 ${ms(r.delayMs.p95)} ms, p99 ${ms(r.delayMs.p99)} ms, max ${ms(r.delayMs.max)} ms (n = ${r.delayMs.count}).`,
    '',
  );
  if (r.slowest.length > 0) push(`Slowest: ${r.slowest.map((mark) => `${mark.agentId} ${ms(mark.delayMs!)} ms (${mark.waiting} waiting)`).join(', ')}.`, '');
  const p = report.readyPath;
  if (p.read > 0) {
    push(
      `Where it went, from ${p.read} served callers' histories (p50 / p99 ms):`,
      '',
      '| part | p50 | p99 | max |',
      '| --- | ---: | ---: | ---: |',
      `| mark sent → lineNotice signal in the caller's workflow (API, the floor's Update, its signal) | ${ms(p.markToSignalMs.p50)} | ${ms(p.markToSignalMs.p99)} | ${ms(p.markToSignalMs.max)} |`,
      `| of which mark sent → its 2xx (the API and the floor's Update, which serves the line) | ${ms(p.markToAnsweredMs.p50)} | ${ms(p.markToAnsweredMs.p99)} | ${ms(p.markToAnsweredMs.max)} |`,
      `| of which 2xx → signal recorded (the floor's signal carried out by the server) | ${ms(p.answeredToSignalMs.p50)} | ${ms(p.answeredToSignalMs.p99)} | ${ms(p.answeredToSignalMs.max)} |`,
      `| signal → executeTransfer scheduled (the caller's workflow) | ${ms(p.signalToScheduledMs.p50)} | ${ms(p.signalToScheduledMs.p99)} | ${ms(p.signalToScheduledMs.max)} |`,
      `| scheduled → POST at the control URL | ${ms(p.scheduledToPostMs.p50)} | ${ms(p.scheduledToPostMs.p99)} | ${ms(p.scheduledToPostMs.max)} |`,
      '',
      `Steps between signal and POST: ${p.paths.slice(0, 3).map((path) => `${path.steps} (${path.transfers} transfers, up to ${path.workflowTasks} workflow tasks)`).join('; ')}.`,
      '',
    );
  }
  const f = report.floor;
  if (f) {
    push(
      `The floor workflow over the phase (${f.runs} run${f.runs === 1 ? '' : 's'}): ${f.workflowTasks} workflow tasks (${f.perSecond.toFixed(1)}/s), ${f.updates} Updates accepted, ${f.signalsIn} signals received, ${f.signalsOut} line notices sent; ` +
        `task scheduled → started p50 ${ms(f.scheduleToStartMs.p50)} / p99 ${ms(f.scheduleToStartMs.p99)} / max ${ms(f.scheduleToStartMs.max)} ms, started → completed p50 ${ms(f.startToCompleteMs.p50)} / p99 ${ms(f.startToCompleteMs.p99)} / max ${ms(f.startToCompleteMs.max)} ms.`,
      '',
    );
  }
  push(
    '## The lines over time',
    '',
    `GET /queues once a second (${trend.samples} samples, ${report.sampleErrors} failed). Peak ${trend.peak.waiting} waiting at ${trend.peak.atSeconds.toFixed(0)} s (per department: ${Object.entries(trend.peakPerDepartment).map(([id, peak]) => `${id} ${peak}`).join(', ')}; max-waiting ${sizing.maxWaiting}); the load stopped at ${load.durationSeconds} s; empty ${trend.drainedAfterSeconds === null ? 'never within the samples' : `${trend.drainedAfterSeconds.toFixed(0)} s later`}.`,
    '',
    '| s | waiting | longest wait so far (s) | |',
    '| ---: | ---: | ---: | --- |',
  );
  const widest = Math.max(1, trend.peak.waiting);
  for (const point of trend.series) push(`| ${point.atSeconds} | ${point.waiting} | ${point.oldestWaitSeconds ?? '–'} | ${'█'.repeat(Math.round((point.waiting / widest) * 30))} |`);
  push('', '## Machine', '', '| process | CPU % (100 = one core) | RSS mean / peak MB |', '| --- | ---: | --- |');
  for (const usage of report.usage) push(`| ${usage.name} | ${usage.cpuPercent.toFixed(0)} | ${usage.rssMbMean.toFixed(0)} / ${usage.rssMbPeak.toFixed(0)} |`);
  push('', `Whole machine: ${report.machineCpuPercent.toFixed(0)} % over the phase (load and drain). Load generator's worst lag ${ms(report.generatorMaxLagMs)} ms.`, '');
  return `${lines.join('\n')}\n`;
}
