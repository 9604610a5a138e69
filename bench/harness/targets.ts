import type { SystemResult, TargetCheck } from './report';
import { spread } from './stats';

/**
 * Issue 6's targets, judged on Switchboard's phases: the worst steady run must meet each latency figure, and
 * no phase may lose or double a transfer.
 */
export function checkTargets(switchboard: SystemResult, burstExpected: boolean): TargetCheck[] {
  const steady = switchboard.phases.filter((phase) => phase.name.startsWith('steady'));
  const bursts = switchboard.phases.filter((phase) => phase.name.startsWith('burst'));
  const worst = (values: number[]) => (values.length > 0 ? Math.max(...values) : Number.NaN);
  const figure = (values: number[]) => {
    const s = spread(values);
    return values.length > 1 ? `${s.mean.toFixed(1)} ms (runs ${s.min.toFixed(1)}–${s.max.toFixed(1)})` : `${s.mean.toFixed(1)} ms`;
  };
  const p50 = steady.map((phase) => phase.webhookToTransferMs.p50);
  const p99 = steady.map((phase) => phase.webhookToTransferMs.p99);
  const ack = steady.map((phase) => phase.ackMs.p99);
  const checks: TargetCheck[] = [
    { name: 'webhook→transfer p50 (steady)', target: '≤ 60 ms', measured: figure(p50), met: worst(p50) <= 60 },
    { name: 'webhook→transfer p99 (steady)', target: '≤ 200 ms', measured: figure(p99), met: worst(p99) <= 200 },
    { name: 'ack p99 (steady)', target: '≤ 20 ms', measured: figure(ack), met: worst(ack) <= 20 },
  ];
  if (burstExpected) {
    const lost = bursts.reduce((total, phase) => total + phase.accounting.lost, 0);
    const doubled = bursts.reduce((total, phase) => total + phase.accounting.doubled, 0);
    const calls = bursts.reduce((total, phase) => total + phase.calls, 0);
    checks.push({ name: 'burst: none lost or doubled', target: '0 / 0', measured: `${lost} lost, ${doubled} doubled of ${calls}`, met: lost === 0 && doubled === 0 && calls > 0 });
  }
  const allLost = switchboard.phases.reduce((total, phase) => total + phase.accounting.lost + phase.accounting.doubled, 0);
  checks.push({ name: 'all phases: none lost or doubled', target: '0', measured: String(allLost), met: allLost === 0 });
  return checks;
}
