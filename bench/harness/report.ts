import type { OverbookingReport } from './agent-holds';
import type { HoldEnd } from './transfer-holds';
import type { HistorySizes } from './histories';
import type { MachineInfo } from './machine';
import type { MemorySample, MemoryTrend } from './memory-trend';
import { QUERY_AND_UPDATE_OPERATIONS } from './server-metrics';
import type { PhaseResult } from './load-phase';
import type { ProcessUsage } from './proc-stats';
import type { MedianCriticalPath, TimelineEntry } from './timeline';

export interface SystemResult {
  /** "switchboard" or "baseline". */
  system: string;
  /** How it ran: topology, levers. */
  setup: string;
  /** From spawning the processes to the first ready answer. */
  startupMs: number;
  phases: Omit<PhaseResult, 'samples' | 'spreadCalls' | 'workflowIds'>[];
}

/** The contact center the run routed over. */
export interface ContactCenterUsed {
  /** Generated with this many agents, or null for the demo file. */
  agents: number | null;
  departments: number;
  agentCount: number;
  /** The routing file, relative to the project. */
  file: string;
  seed: number | null;
  /** Agents marked ready this long (s) after Vapi reported their transfer forwarding; null: not marked. */
  handleTimeSeconds: { min: number; max: number } | null;
}

/** Over-booking as the histories tell it (see agent-holds.ts). */
export interface HoldsCheck extends OverbookingReport {
  /** Transfer histories read, and those that could not be. */
  transfersRead: number;
  unreadable: number;
  unknownReservations: number;
  /** How the holds ended: released by the transfer, by a ready mark, after the after-call time, at the TTL, or still on at the end of the run. */
  ended: Record<HoldEnd, number>;
  /** Connections to an agent the transfer was not seen to hold (not judged: when the floor took them up is unknown). */
  connectionsWithoutHold: number;
  /** Ready marks the bench sent over the run. */
  readyMarks: number;
  /** Why the records cannot be judged, if they cannot (undecodable results, no holds at all): also a failure. */
  problems: string[];
  source: string;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface BenchReport {
  startedAt: string;
  command: string;
  machine: MachineInfo;
  systems: SystemResult[];
  targets: TargetCheck[];
  notes: string[];
  /** The median transfer of the first steady phase, step by step (ms after its webhook was sent). */
  timeline: TimelineEntry[];
  /** Median parts of webhook-to-transfer over up to 25 transfers of the first steady phase. */
  criticalPath: MedianCriticalPath | null;
  /** Which commit's Switchboard ran, when not this checkout's (--ref). */
  ref: { ref: string; commit: string; nodeModules: 'linked' | 'installed' } | null;
  contactCenter: ContactCenterUsed | null;
  /** Sizes of the sampled transfers' histories (the same transfers as the critical path). */
  historySizes: HistorySizes | null;
  holds: HoldsCheck | null;
  /** Soak only: the worker's memory every 10 s, and whether it grows. */
  memory: { samples: MemorySample[]; trend: MemoryTrend | null } | null;
}

const ms = (value: number) => (Number.isFinite(value) ? (value >= 100 ? value.toFixed(0) : value.toFixed(1)) : '–');

function usageCell(usage: readonly ProcessUsage[]): string {
  return usage
    .map((entry) => (entry.samples > 0 ? `${entry.name} ${entry.cpuPercent.toFixed(0)}% / ${entry.rssMbPeak.toFixed(0)} MB` : `${entry.name} ${entry.cpuPercent.toFixed(0)}%`))
    .join('<br>');
}

/** One Markdown table row per system and phase, then the ratios and the targets. */
export function markdownReport(report: BenchReport): string {
  const lines: string[] = [];
  const machine = report.machine;
  lines.push(`Run ${report.startedAt} — \`${report.command}\``);
  lines.push('');
  lines.push(
    `Machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.temporalCli.split('\n')[0]}, load average ${machine.loadAverageAtStart} at start.`,
  );
  lines.push('');
  lines.push(
    '| system | phase | calls | errors | ack p50 / p95 / p99 / max (ms) | webhook→transfer p50 / p95 / p99 / max (ms) | transfers/s | lost | doubled | CPU ms per transfer | CPU / peak RSS per process |',
  );
  lines.push('| --- | --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | --- |');
  for (const system of report.systems) {
    for (const phase of system.phases) {
      const a = phase.ackMs;
      const t = phase.webhookToTransferMs;
      lines.push(
        `| ${system.system} | ${phase.name} | ${phase.calls} | ${phase.errors} | ${ms(a.p50)} / ${ms(a.p95)} / ${ms(a.p99)} / ${ms(a.max)} | ${ms(t.p50)} / ${ms(t.p95)} / ${ms(t.p99)} / ${ms(t.max)} | ${phase.transfersPerSecond.toFixed(1)} | ${phase.accounting.lost} | ${phase.accounting.doubled} | ${phase.cpuMsPerTransfer.toFixed(0)} | ${usageCell(phase.usage)} |`,
      );
    }
  }
  lines.push(...perTransferLines(report.systems));
  lines.push(...scaleLines(report));
  const ratios = ratioLines(report.systems);
  if (ratios.length > 0) {
    lines.push('');
    lines.push('Ratio Switchboard / baseline (same load, same machine):');
    lines.push('');
    lines.push('| phase | ack p50 | ack p99 | webhook→transfer p50 | webhook→transfer p99 | CPU per transfer |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
    lines.push(...ratios);
  }
  if (report.targets.length > 0) {
    lines.push('');
    lines.push('| target | wanted | measured | |');
    lines.push('| --- | --- | --- | --- |');
    for (const target of report.targets) lines.push(`| ${target.name} | ${target.target} | ${target.measured} | ${target.met ? 'met' : '**missed**'} |`);
  }
  const path = report.criticalPath;
  if (path) {
    lines.push('');
    lines.push(`Where webhook-to-transfer goes (median of each part over ${path.transfers} transfers of the first steady phase, ms):`);
    lines.push('');
    lines.push('| to workflow start | workflow tasks waiting | local activities | rest of workflow tasks | waiting for activities | executeTransfer | total |');
    lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    lines.push(
      `| ${ms(path.toWorkflowStart)} | ${ms(path.workflowTaskWait)} | ${ms(path.localActivities)} | ${ms(path.workflowTaskWork)} | ${ms(path.activityWait)} | ${ms(path.transferActivity)} | ${ms(path.total)} |`,
    );
    lines.push('');
    lines.push(
      `Workflow tasks per transfer (read from the same histories): before the control POST median ${path.workflowTasksBeforeTransfer}, at most ${path.maxWorkflowTasksBeforeTransfer}; in all median ${path.workflowTasks}, at most ${path.maxWorkflowTasks}.`,
    );
  }
  if (report.timeline.length > 0) {
    lines.push('');
    lines.push('Where the time goes — the median transfer of the first steady phase (ms after its webhook was sent):');
    lines.push('');
    lines.push('```');
    for (const entry of report.timeline) lines.push(`${entry.atMs.toFixed(1).padStart(8)}  ${entry.event}`);
    lines.push('```');
  }
  if (report.notes.length > 0) {
    lines.push('');
    for (const note of report.notes) lines.push(`- ${note}`);
  }
  return `${lines.join('\n')}\n`;
}

const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** CPU split between the dev server and the service, and the queries and Updates each transfer cost the server. */
function perTransferLines(systems: readonly SystemResult[]): string[] {
  const lines = ['', 'Per transfer (CPU ms: dev server / service; frontend calls from the dev server\'s own metrics; agents marked ready):', ''];
  lines.push(`| system | phase | CPU ms dev server / service | ${QUERY_AND_UPDATE_OPERATIONS.join(' | ')} | agent-ready calls (sent / 2xx) |`);
  lines.push(`| --- | --- | --- | ${QUERY_AND_UPDATE_OPERATIONS.map(() => '---:').join(' | ')} | --- |`);
  for (const system of systems) {
    for (const phase of system.phases) {
      const calls = phase.serverWork?.queriesAndUpdates.perTransfer;
      const cells = QUERY_AND_UPDATE_OPERATIONS.map((operation) => (calls ? calls[operation].toFixed(2) : '–'));
      const split = phase.cpuMsPerTransferSplit;
      lines.push(
        `| ${system.system} | ${phase.name} | ${split.devServer.toFixed(0)} / ${split.service.toFixed(0)} | ${cells.join(' | ')} | ${phase.readyCalls.sent} / ${phase.readyCalls.accepted} |`,
      );
    }
  }
  return lines;
}

function scaleLines(report: BenchReport): string[] {
  const lines: string[] = [];
  const center = report.contactCenter;
  if (report.ref) lines.push('', `Switchboard of \`${report.ref.ref}\` (commit ${report.ref.commit.slice(0, 12)}, node_modules ${report.ref.nodeModules}), measured with this checkout's bench.`);
  if (center) {
    const ready = center.handleTimeSeconds ? `agents marked ready ${center.handleTimeSeconds.min}–${center.handleTimeSeconds.max} s after their transfer was reported forwarding` : 'agents not marked ready';
    lines.push('', `Contact center: ${center.agentCount} agents in ${center.departments} departments (${center.agents === null ? 'the demo file' : `generated, seed ${center.seed}`}, \`${center.file}\`); ${ready}.`);
  }
  const sizes = report.historySizes;
  if (sizes) {
    const largest = sizes.largestPayload ? `; largest single payload ${kib(sizes.largestPayload.bytes)} (${sizes.largestPayload.where})` : '';
    lines.push('', `History of one transfer (protobuf-encoded, ${sizes.histories} sampled): median ${kib(sizes.medianBytes)}, max ${kib(sizes.maxBytes)}, median ${sizes.medianEvents} events${largest}.`);
  }
  const holds = report.holds;
  if (holds) {
    const verdict =
      holds.problems.length > 0
        ? `**not judged**: ${holds.problems.join('; ')}`
        : holds.overbooked.length === 0 && holds.unknownAgents.length === 0
          ? 'no agent beyond its maxConcurrent'
          : `**${holds.overbooked.length} agent(s) beyond maxConcurrent**`;
    const busiest = holds.busiest.map((peak) => `${peak.agentId} ${peak.peak}/${peak.maxConcurrent}`).join(', ');
    const ended = Object.entries(holds.ended).map(([how, count]) => `${count} ${how}`).join(', ');
    lines.push(
      '',
      `Over-booking (${holds.source}): ${holds.holds} holds of ${holds.agentsHeld} agents from ${holds.transfersRead} transfer histories (${holds.unreadable} unreadable, ${holds.unknownReservations} reservations of unknown outcome, ${holds.emptyHolds} holds too short to prove): ${verdict}. Holds ended: ${ended} (${holds.readyMarks} ready marks sent; ${holds.connectionsWithoutHold} connections to an agent not seen held). Busiest (peak/maxConcurrent): ${busiest || 'none'}.`,
    );
    for (const peak of holds.overbooked) lines.push(`- ${peak.agentId}: ${peak.peak} holds at ${new Date(peak.at).toISOString()} (maxConcurrent ${peak.maxConcurrent}): ${peak.transferIds.join(', ')}`);
    if (holds.unknownAgents.length > 0) lines.push(`- held agents not in the routing file: ${holds.unknownAgents.join(', ')}`);
  }
  const trend = report.memory?.trend;
  if (trend) {
    const series = (name: string, t: MemoryTrend['rss']) =>
      `${name} ${t.startMb.toFixed(0)} → ${t.endMb.toFixed(0)} MB (max ${t.maxMb.toFixed(0)}), ${signed(t.slopeMbPerMinute)} MB/min (second half ${signed(t.lateSlopeMbPerMinute)}), fitted rise ${t.growthMb.toFixed(1)} MB against noise ${t.noiseMb.toFixed(1)} MB: ${t.grows ? '**grows**' : 'flat'}`;
    lines.push('', `Worker memory over ${trend.windowMinutes.toFixed(1)} min (${trend.samples} samples): ${series('RSS', trend.rss)}; ${trend.heapUsed ? series('heap used', trend.heapUsed) : 'heap not read'}. Criterion: ${trend.criterion}.`);
  }
  return lines;
}

function ratioLines(systems: readonly SystemResult[]): string[] {
  const baseline = systems.find((system) => system.system === 'baseline');
  if (!baseline) return [];
  const x = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : '–');
  return systems
    .filter((system) => system !== baseline)
    .flatMap((system) =>
      system.phases.flatMap((phase) => {
        const base = baseline.phases.find((candidate) => candidate.name === phase.name);
        if (!base) return [];
        return [
          `| ${phase.name} | ${x(phase.ackMs.p50, base.ackMs.p50)} | ${x(phase.ackMs.p99, base.ackMs.p99)} | ${x(phase.webhookToTransferMs.p50, base.webhookToTransferMs.p50)} | ${x(phase.webhookToTransferMs.p99, base.webhookToTransferMs.p99)} | ${x(phase.cpuMsPerTransfer, base.cpuMsPerTransfer)} |`,
        ];
      }),
    );
}
