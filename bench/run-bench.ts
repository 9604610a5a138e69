import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config/paths';
import { transferWorkflowId } from '../src/contracts';
import { startFakeVapi } from './harness/fake-vapi';
import type { FakeVapi } from './harness/fake-vapi';
import { writeHistogramPng } from './harness/histogram-png';
import type { HistogramSeries } from './harness/histogram-png';
import { burstSchedule, openLoopSchedule } from './harness/load-generator';
import type { PhaseResult } from './harness/load-phase';
import { runLoadPhase } from './harness/load-phase';
import { describeMachine } from './harness/machine';
import type { ManagedProcess } from './harness/processes';
import type { BenchReport, SystemResult } from './harness/report';
import { markdownReport } from './harness/report';
import { compileProject, prebuiltWorkflowBundle, startBaseline, startSwitchboard, startTemporal } from './harness/stack';
import type { TimelineEntry } from './harness/timeline';
import { medianCriticalPath, transferTimeline } from './harness/timeline';
import { dropIdleSockets } from './harness/webhook-client';
import type { BenchOptions } from './harness/bench-options';
import { readOptions } from './harness/bench-options';
import { checkTargets } from './harness/targets';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The phases every system goes through, identically. */
async function runPhases(options: BenchOptions, target: {
  webhookUrl: string;
  vapi: FakeVapi;
  processes: () => { name: string; pid: number | undefined }[];
  reportTo: string | null;
  serverMetricsUrl?: () => string | undefined;
}): Promise<PhaseResult[]> {
  const { vapi } = target;
  vapi.reportTo(target.reportTo);
  const phase = async (name: string, schedule: number[]) => {
    vapi.reset();
    const result = await runLoadPhase({
      name,
      webhookUrl: target.webhookUrl,
      schedule,
      vapi,
      processes: target.processes,
      // A saturated system still owes every accepted transfer: wait long enough to tell "late" from "lost".
      drainTimeoutMs: 180_000,
      ...(target.serverMetricsUrl ? { serverMetricsUrl: target.serverMetricsUrl } : {}),
    });
    await pause(1_000);
    return result;
  };
  if (options.warmup > 0) await phase('warm-up', openLoopSchedule({ ratePerSecond: options.rate / 2, durationSeconds: options.warmup }));
  const results: PhaseResult[] = [];
  for (let run = 1; run <= options.runs; run += 1) {
    const suffix = options.runs > 1 ? ` #${run}` : '';
    const steady = await phase(`steady ${options.rate}/s × ${options.duration} s${suffix}`, openLoopSchedule({ ratePerSecond: options.rate, durationSeconds: options.duration }));
    results.push(steady);
    printPhase(steady);
    if (options.burst) {
      const burst = await phase(`burst ${options.burst.count} @ ${options.burst.ratePerSecond}/s${suffix}`, burstSchedule(options.burst));
      results.push(burst);
      printPhase(burst);
    }
  }
  vapi.reportTo(null);
  return results;
}

function printPhase(result: PhaseResult): void {
  const t = result.webhookToTransferMs;
  const a = result.ackMs;
  process.stdout.write(
    `    ${result.name}: ack p50 ${a.p50.toFixed(1)} p99 ${a.p99.toFixed(1)} ms; webhook→transfer p50 ${t.p50.toFixed(1)} p99 ${t.p99.toFixed(1)} max ${t.max.toFixed(0)} ms; ` +
      `errors ${result.errors}, lost ${result.accounting.lost}, doubled ${result.accounting.doubled}; CPU ${result.cpuMsPerTransfer.toFixed(0)} ms/transfer\n`,
  );
  if (result.serverWork) {
    const top = result.serverWork.persistencePerTransfer.slice(0, 6).map((entry) => `${entry.operation} ${entry.count}`);
    process.stdout.write(`      server work per transfer: ${result.serverWork.persistenceTotalPerTransfer} persistence requests (${top.join(', ')})\n`);
  }
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (!options) return;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  const resultsDir = path.join(PROJECT_ROOT, 'bench', 'results');
  const runDir = path.join(resultsDir, `run-${stamp}${options.label ? `-${options.label}` : ''}`);
  const logDir = path.join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const machine = describeMachine();
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  process.stdout.write(`Benchmark: ${options.rate}/s for ${options.duration} s${options.burst ? `, burst ${options.burst.count} @ ${options.burst.ratePerSecond}/s` : ''}, ${options.runs} run(s), topology ${options.topology}; logs in ${path.relative(PROJECT_ROOT, logDir)}\n`);

  const vapi = await startFakeVapi();
  const children: ManagedProcess[] = [];
  const systems: SystemResult[] = [];
  const notes: string[] = [];
  let histogram: HistogramSeries[] = [];
  let timeline: TimelineEntry[] = [];
  let pathSummary: BenchReport['criticalPath'] = null;
  let temporal: Awaited<ReturnType<typeof startTemporal>> | undefined;
  const self = { name: 'load generator', pid: process.pid };
  try {
    // Switchboard.
    const compiledRoot = options.runtime === 'node' ? await compileProject(path.join(runDir, 'dist'), logDir) : undefined;
    const bundle = options.prebuiltBundle ? await prebuiltWorkflowBundle(path.join(runDir, 'workflow-bundle.js'), logDir) : undefined;
    temporal = await startTemporal({ dataDir: path.join(runDir, 'temporal'), levers: options.levers });
    const temporalPid = () => temporal?.server.pid;
    const bootStarted = performance.now();
    const switchboard = await startSwitchboard({
      temporalAddress: temporal.address,
      logDir,
      topology: options.topology,
      workers: options.workers,
      workflowBundlePath: bundle,
      ...(compiledRoot ? { compiledRoot } : {}),
      env: { LOG_LEVEL: options.logLevel },
      ...(options.profile ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', path.join(runDir, 'profiles')] } : {}),
      ...(options.entry ? { combinedEntry: options.entry } : {}),
    });
    children.push(...switchboard.processes);
    const startupMs = performance.now() - bootStarted;
    process.stdout.write(`  switchboard ready in ${(startupMs / 1000).toFixed(1)} s (${options.prebuiltBundle ? 'prebuilt bundle' : 'bundling at start'})\n`);
    const setup = [
      options.topology === 'combined' ? 'worker + API in one process (npm start)' : `${options.workers} worker process(es) + API process`,
      `eager activities ${options.levers.eagerActivities ? 'on' : 'off'}`,
      options.levers.storage === 'memory' ? 'in-memory SQLite' : `SQLite file, synchronous=${options.levers.sqliteSynchronous}`,
      ...(options.levers.dynamicConfig ?? []),
      options.prebuiltBundle ? 'prebuilt workflow bundle' : 'workflows bundled at start',
      options.runtime === 'node' ? 'compiled JavaScript on node' : 'TypeScript under tsx',
      `LOG_LEVEL=${options.logLevel}`,
      options.entry ? `entry ${options.entry}` : '',
    ].filter(Boolean).join(', ');
    const phases = await runPhases(options, {
      webhookUrl: switchboard.webhookUrl,
      vapi,
      reportTo: options.reports ? switchboard.webhookUrl : null,
      serverMetricsUrl: () => temporal?.metricsUrl,
      processes: () => [
        { name: 'temporal', pid: temporalPid() },
        ...switchboard.processes.map((child) => ({ name: child.name, pid: child.pid })),
        self,
      ],
    });
    systems.push({ system: 'switchboard', setup, startupMs, phases: phases.map(({ samples: _samples, spreadCalls: _calls, ...rest }) => rest) });
    histogram = phases
      .filter((phase) => phase.name.startsWith('steady'))
      .slice(0, 1)
      .flatMap((phase) => [
        { system: 'switchboard', metric: 'webhook → transfer', samplesMs: phase.samples.webhookToTransferMs },
        { system: 'switchboard', metric: 'webhook acknowledged', samplesMs: phase.samples.ackMs },
      ]);
    const firstSteady = phases.find((phase) => phase.name.startsWith('steady'));
    if (firstSteady) {
      pathSummary = await medianCriticalPath(
        temporal.address,
        firstSteady.spreadCalls.map((call) => ({ workflowId: transferWorkflowId(call.callId, call.toolCallId), sentAtEpochMs: call.sentAtEpochMs })),
      ).catch(() => null);
    }
    const sample = firstSteady?.sampleCall;
    if (sample) {
      const workflowId = transferWorkflowId(sample.callId, sample.toolCallId);
      timeline = await transferTimeline(temporal.address, workflowId, sample.sentAtEpochMs).catch(() => []);
      const steps = timeline
        .filter((entry) => entry.event.startsWith('local activity completed') || entry.event.startsWith('activity scheduled'))
        .map((entry) => entry.event.replace(/^(local activity completed \(workflow time\)|activity scheduled): /, ''));
      notes.push(`Named steps up to the transfer in one transfer's history (local activities, then activities; each a step with a summary in the Web UI): ${steps.join(', ') || 'could not read'}.`);
    }
    await switchboard.stop();
    await temporal.stop();

    // Baseline, alone on the machine, under the same load.
    if (options.baseline) {
      dropIdleSockets();
      const bootBaseline = performance.now();
      const baseline = await startBaseline({ logDir });
      children.push(baseline.process);
      const baselineStartup = performance.now() - bootBaseline;
      process.stdout.write(`  baseline ready in ${(baselineStartup / 1000).toFixed(1)} s\n`);
      const baselinePhases = await runPhases(options, {
        webhookUrl: baseline.webhookUrl,
        vapi,
        reportTo: null,
        processes: () => [{ name: 'baseline', pid: baseline.process.pid }, self],
      });
      systems.push({ system: 'baseline', setup: 'seed document handler, no durability', startupMs: baselineStartup, phases: baselinePhases.map(({ samples: _samples, spreadCalls: _calls, ...rest }) => rest) });
      const steady = baselinePhases.find((phase) => phase.name.startsWith('steady'));
      if (steady) {
        histogram.push(
          { system: 'baseline', metric: 'webhook → transfer', samplesMs: steady.samples.webhookToTransferMs },
          { system: 'baseline', metric: 'webhook acknowledged', samplesMs: steady.samples.ackMs },
        );
      }
      await baseline.process.stop();
    }
  } finally {
    await Promise.all(children.map((child) => child.stop().catch(() => undefined)));
    await temporal?.stop().catch(() => undefined);
    await vapi.close();
  }

  const switchboardResult = systems.find((system) => system.system === 'switchboard')!;
  notes.push(
    `Load: open loop (sent on schedule whatever the answers), latency from the scheduled send time; each webhook a realistic tool-calls payload (~8 KB) with a fresh call id${options.reports ? "; after each transfer the fake Vapi posts a status-update 'forwarding' 200 ms later, as Vapi does, so transfers finish and agents are released" : ''}.`,
    'CPU: average over the phase, 100% = one core; RSS: peak resident memory during the phase. "temporal" is the dev server process, "load generator" this process (fake control URL included).',
  );
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    command,
    machine,
    systems,
    targets: checkTargets(switchboardResult, { rate: options.rate, burstExpected: options.burst !== null, criticalPath: pathSummary }),
    notes,
    timeline,
    criticalPath: pathSummary,
  };
  const base = path.join(resultsDir, `bench-${stamp}${options.label ? `-${options.label}` : ''}`);
  const markdown = markdownReport(report);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown);
  await writeHistogramPng(`${base}.png`, `Latency at ${options.rate}/s, steady phase (${machine.cpus} cores)`, histogram).catch((error: unknown) =>
    process.stderr.write(`histogram not written: ${error instanceof Error ? error.message : String(error)}\n`),
  );
  for (const ext of ['json', 'md', 'png']) {
    try {
      copyFileSync(`${base}.${ext}`, path.join(resultsDir, `latest.${ext}`));
    } catch {
      // the PNG may be missing; the table is what matters
    }
  }
  if (!options.keepData) rmSync(path.join(runDir, 'temporal'), { recursive: true, force: true });
  process.stdout.write(`\n${markdown}\nWritten: ${path.relative(PROJECT_ROOT, base)}.{json,md,png} (and bench/results/latest.*)\n`);
  const lostOrDoubled = systems.find((system) => system.system === 'switchboard')!.phases.some((phase) => phase.accounting.lost + phase.accounting.doubled > 0);
  if (lostOrDoubled) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
