import type { MachineInfo } from './machine';
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
  phases: Omit<PhaseResult, 'samples' | 'spreadCalls'>[];
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
