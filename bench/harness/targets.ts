import type { SystemResult, TargetCheck } from './report';
import { spread } from './stats';
import type { MedianCriticalPath } from './timeline';

/**
 * The lean-transfer targets on a 2-core machine, judged on Switchboard's phases: the worst steady run must
 * meet each latency figure for its load (≤ 2/s counts as unloaded), saturation must stay under the CPU
 * budget, the burst must drain within 10 s, no phase may lose or double a transfer, and a transfer's history
 * must show at most 2 workflow tasks before the control POST and 3 in all.
 */
export function checkTargets(
  switchboard: SystemResult,
  run: { rate: number; burstExpected: boolean; criticalPath: MedianCriticalPath | null },
): TargetCheck[] {
  const steady = switchboard.phases.filter((phase) => phase.name.startsWith('steady'));
  const bursts = switchboard.phases.filter((phase) => phase.name.startsWith('burst'));
  const worst = (values: number[]) => (values.length > 0 ? Math.max(...values) : Number.NaN);
  const figure = (values: number[]) => {
    const s = spread(values);
    return values.length > 1 ? `${s.mean.toFixed(1)} ms (runs ${s.min.toFixed(1)}–${s.max.toFixed(1)})` : `${s.mean.toFixed(1)} ms`;
  };
  const unloaded = run.rate <= 2;
  const limits = unloaded ? { p50: 40, p99: 120 } : { p50: 60, p99: 200 };
  const p50 = steady.map((phase) => phase.webhookToTransferMs.p50);
  const p99 = steady.map((phase) => phase.webhookToTransferMs.p99);
  const ack = steady.map((phase) => phase.ackMs.p99);
  const checks: TargetCheck[] = [
    { name: `webhook→transfer p50 (steady ${run.rate}/s)`, target: `≤ ${limits.p50} ms`, measured: figure(p50), met: worst(p50) <= limits.p50 },
    { name: `webhook→transfer p99 (steady ${run.rate}/s)`, target: `≤ ${limits.p99} ms`, measured: figure(p99), met: worst(p99) <= limits.p99 },
  ];
  if (!unloaded) {
    const cpu = steady.map((phase) => phase.cpuMsPerTransfer);
    checks.push({ name: 'ack p99 (steady)', target: '≤ 20 ms', measured: figure(ack), met: worst(ack) <= 20 });
    checks.push({ name: 'CPU per transfer (steady)', target: '≤ 80 ms', measured: figure(cpu), met: worst(cpu) <= 80 });
  }
  if (run.burstExpected) {
    const lost = bursts.reduce((total, phase) => total + phase.accounting.lost, 0);
    const doubled = bursts.reduce((total, phase) => total + phase.accounting.doubled, 0);
    const calls = bursts.reduce((total, phase) => total + phase.calls, 0);
    const slowest = worst(bursts.map((phase) => phase.webhookToTransferMs.max));
    checks.push({ name: 'burst: none lost or doubled', target: '0 / 0', measured: `${lost} lost, ${doubled} doubled of ${calls}`, met: lost === 0 && doubled === 0 && calls > 0 });
    checks.push({ name: 'burst: last transfer after its webhook', target: '≤ 10 s', measured: `${(slowest / 1000).toFixed(1)} s`, met: slowest <= 10_000 });
  }
  const allLost = switchboard.phases.reduce((total, phase) => total + phase.accounting.lost + phase.accounting.doubled, 0);
  checks.push({ name: 'all phases: none lost or doubled', target: '0', measured: String(allLost), met: allLost === 0 });
  const path = run.criticalPath;
  if (path) {
    checks.push({
      name: 'workflow tasks before the control POST / in all',
      target: '≤ 2 / ≤ 3',
      measured: `${path.maxWorkflowTasksBeforeTransfer} / ${path.maxWorkflowTasks} (most of ${path.transfers} transfers)`,
      met: path.maxWorkflowTasksBeforeTransfer <= 2 && path.maxWorkflowTasks <= 3,
    });
  }
  return checks;
}
