import type { TransferAccounting } from '../bench/harness/accounting';
import type { MachineInfo } from '../bench/harness/machine';
import type { LatencySummary } from '../bench/harness/stats';

export interface ScenarioResult {
  id: string;
  name: string;
  fault: string;
  /** Webhook deliveries sent, and how they were answered. */
  deliveries: number;
  answers: Record<string, number>;
  accounting: TransferAccounting;
  webhookToTransferMs: LatencySummary;
  ackMs: LatencySummary;
  notes: string[];
  /** Null when the scenario could not run; the reason otherwise. */
  error: string | null;
}

export interface ChaosReport {
  startedAt: string;
  command: string;
  machine: MachineInfo;
  load: string;
  scenarios: ScenarioResult[];
}

/**
 * A scenario passes when nothing accepted was lost (every caller transferred or told: a `say`, the hold message
 * or an apology), nothing ran twice, and it ran to the end.
 */
export function scenarioPassed(result: ScenarioResult): boolean {
  return result.error === null && result.accounting.lost === 0 && result.accounting.doubled === 0 && result.accounting.strayCommands === 0;
}

/** One line per scenario while the run goes on. */
export function progressLine(result: ScenarioResult): string {
  const a = result.accounting;
  return (
    `${scenarioPassed(result) ? 'pass' : 'FAIL'}: ${a.executedOnce}/${a.calls} transferred once (${a.heldThenTransferred} after a hold), ` +
    `unknown but told to hold ${a.unknownButTold}, lost ${a.lost}, doubled ${a.doubled}, told ${a.callersTold}${result.error ? `; ${result.error}` : ''}`
  );
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : '–');

export function markdownChaosReport(report: ChaosReport): string {
  const lines = [
    `Run ${report.startedAt} — \`${report.command}\``,
    '',
    `Machine: ${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}, ${report.machine.temporalCli.split('\n')[0]}. Load: ${report.load}.`,
    '',
    '| | scenario | fault | webhooks sent | accepted (2xx) | refused | transferred once (after a hold) | unknown, told to hold | lost | doubled | callers told (say) | webhook→transfer p50 / p99 / max (ms) | |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const result of report.scenarios) {
    const accepted = Object.entries(result.answers)
      .filter(([status]) => status.startsWith('2'))
      .reduce((total, [, count]) => total + count, 0);
    const a = result.accounting;
    lines.push(
      `| (${result.id}) | ${result.name} | ${result.fault} | ${result.deliveries} | ${accepted} | ${result.deliveries - accepted} | ${a.executedOnce} of ${a.calls} (${a.heldThenTransferred}) | ${a.unknownButTold} | ${a.lost} | ${a.doubled} | ${a.callersTold} | ${ms(result.webhookToTransferMs.p50)} / ${ms(result.webhookToTransferMs.p99)} / ${ms(result.webhookToTransferMs.max)} | ${scenarioPassed(result) ? 'pass' : '**FAIL**'} |`,
    );
  }
  lines.push('');
  for (const result of report.scenarios) {
    const details = [
      ...result.notes,
      `answers by status: ${Object.entries(result.answers).map(([status, count]) => `${status === '0' ? 'no answer' : status} ×${count}`).join(', ')}`,
      ...(result.accounting.refusedCalls > 0 ? [`${result.accounting.refusedCalls} call(s) refused on every delivery (Vapi was told)`] : []),
      ...(result.accounting.executedDespiteRefusal > 0 ? [`${result.accounting.executedDespiteRefusal} refused call(s) transferred anyway`] : []),
      ...(Object.keys(result.accounting.outcomes).length > 0
        ? [`outcomes recorded: ${Object.entries(result.accounting.outcomes).map(([outcome, count]) => `${outcome} ×${count}`).join(', ')}`]
        : []),
      ...(result.accounting.unknownButTold > 0
        ? [`${result.accounting.unknownButTold} not transferred (Vapi never acted on a transfer), caller told to hold, recorded unknown (${result.accounting.unknownButToldCallIds.slice(0, 3).join(', ')})`]
        : []),
      ...(result.accounting.failedAndTold > 0
        ? [`${result.accounting.failedAndTold} not transferred, caller told (${result.accounting.failedAndToldCallIds.slice(0, 3).join(', ')})`]
        : []),
      ...(result.accounting.strayCommands > 0 ? [`${result.accounting.strayCommands} command(s) for calls not sent in this scenario`] : []),
      ...(result.accounting.lostCallIds.length > 0 ? [`lost: ${result.accounting.lostCallIds.slice(0, 3).join(', ')}`] : []),
      ...(result.accounting.doubledCallIds.length > 0 ? [`doubled: ${result.accounting.doubledCallIds.slice(0, 3).join(', ')}`] : []),
      ...(result.error ? [`did not complete: ${result.error}`] : []),
    ];
    lines.push(`- (${result.id}) ${result.name}: ${details.join('; ')}.`);
  }
  return `${lines.join('\n')}\n`;
}
