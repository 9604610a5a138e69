import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import type { ContactCenter } from '../src/config/contact-center';
import { loadContactCenter } from '../src/config/contact-center';
import { PROJECT_ROOT } from '../src/config/paths';
import { RESERVATION_TTL_SECONDS, transferWorkflowId } from '../src/contracts';
import { createDataConverter, payloadCodecFor } from '../src/temporal/data-converter';
import { checkOverbooking } from './harness/agent-holds';
import type { AgentHold } from './harness/agent-holds';
import { agentsByDestination, contactCenterYaml, destinationKey, generateContactCenter, generatedTraffic, seededRandom } from './harness/contact-center-generator';
import { startFakeVapi } from './harness/fake-vapi';
import type { FakeVapi, ReadyMark } from './harness/fake-vapi';
import { fetchHistories, forEachHistory, historySizes } from './harness/histories';
import { writeHistogramPng } from './harness/histogram-png';
import type { HistogramSeries } from './harness/histogram-png';
import { burstSchedule, openLoopSchedule } from './harness/load-generator';
import type { PhaseResult } from './harness/load-phase';
import { DEV_SERVER_PROCESS, LOAD_GENERATOR_PROCESS, runLoadPhase } from './harness/load-phase';
import { describeMachine } from './harness/machine';
import { MemorySampler, memoryTrend } from './harness/memory-trend';
import type { ManagedProcess } from './harness/processes';
import { checkoutRef } from './harness/ref-checkout';
import type { RefCheckout } from './harness/ref-checkout';
import type { BenchReport, ContactCenterUsed, HoldsCheck, SystemResult } from './harness/report';
import { markdownReport } from './harness/report';
import { compileProject, prebuiltWorkflowBundle, startBaseline, startSwitchboard, startTemporal } from './harness/stack';
import type { TimelineEntry } from './harness/timeline';
import { describeHistory, medianCriticalPath } from './harness/timeline';
import { afterCallFrom, holdsFromTransferHistory, noHoldsEnded, readyMarksByAgent } from './harness/transfer-holds';
import type { HoldEnd, HoldEvidence } from './harness/transfer-holds';
import type { TrafficMix } from './harness/traffic';
import { DEMO_TRAFFIC } from './harness/traffic';
import { dropIdleSockets } from './harness/webhook-client';
import type { BenchOptions } from './harness/bench-options';
import { readOptions } from './harness/bench-options';
import { runLinesBench } from './harness/lines-bench';
import { checkScaleTargets, checkTargets, isSteady } from './harness/targets';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The phases every system goes through, identically; the warm-up apart, as it is not reported. */
async function runPhases(options: BenchOptions, target: {
  webhookUrl: string;
  vapi: FakeVapi;
  processes: () => { name: string; pid: number | undefined }[];
  reportTo: string | null;
  serverMetricsUrl?: () => string | undefined;
  traffic: TrafficMix;
}): Promise<{ warmup: PhaseResult | null; phases: PhaseResult[] }> {
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
      traffic: target.traffic,
      ...(target.serverMetricsUrl ? { serverMetricsUrl: target.serverMetricsUrl } : {}),
    });
    await pause(1_000);
    return result;
  };
  const warmup = options.warmup > 0 ? await phase('warm-up', openLoopSchedule({ ratePerSecond: options.rate / 2, durationSeconds: options.warmup })) : null;
  const results: PhaseResult[] = [];
  if (options.soak !== null) {
    const soak = await phase(`soak ${options.rate}/s × ${options.soak} s`, openLoopSchedule({ ratePerSecond: options.rate, durationSeconds: options.soak }));
    results.push(soak);
    printPhase(soak);
  }
  for (let run = 1; options.soak === null && run <= options.runs; run += 1) {
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
  return { warmup, phases: results };
}

function printPhase(result: PhaseResult): void {
  const t = result.webhookToTransferMs;
  const a = result.ackMs;
  const split = result.cpuMsPerTransferSplit;
  process.stdout.write(
    `    ${result.name}: ack p50 ${a.p50.toFixed(1)} p99 ${a.p99.toFixed(1)} ms; webhook→transfer p50 ${t.p50.toFixed(1)} p99 ${t.p99.toFixed(1)} max ${t.max.toFixed(0)} ms; ` +
      `errors ${result.errors}, lost ${result.accounting.lost}, doubled ${result.accounting.doubled}; CPU ${result.cpuMsPerTransfer.toFixed(0)} ms/transfer (dev server ${split.devServer.toFixed(0)}, service ${split.service.toFixed(0)})\n`,
  );
  if (result.serverWork) {
    const top = result.serverWork.persistencePerTransfer.slice(0, 6).map((entry) => `${entry.operation} ${entry.count}`);
    const calls = Object.entries(result.serverWork.queriesAndUpdates.perTransfer).map(([operation, count]) => `${operation} ${count}`);
    process.stdout.write(`      server work per transfer: ${result.serverWork.persistenceTotalPerTransfer} persistence requests (${top.join(', ')}); ${calls.join(', ')}\n`);
  }
}

/** The routing file of the run: generated into the run folder with --agents, else the checkout's demo file. */
function contactCenterFor(options: BenchOptions, runDir: string, root: string): { center: ContactCenter; file: string; used: ContactCenterUsed } {
  let file = path.join(root, 'config', 'contact-center.yaml');
  if (options.agents !== null) {
    file = path.join(runDir, `contact-center-${options.agents}-agents.yaml`);
    const generated = generateContactCenter({ agents: options.agents, seed: options.seed });
    writeFileSync(file, contactCenterYaml(generated, `Generated by npm run bench -- --agents ${options.agents} --seed ${options.seed}: a benchmark contact center, not a real one.`));
  }
  const center = loadContactCenter(file);
  return {
    center,
    file,
    used: {
      agents: options.agents,
      departments: center.departments.length,
      agentCount: center.agents.length,
      file: path.relative(PROJECT_ROOT, file),
      seed: options.agents === null ? null : options.seed,
      handleTimeSeconds: options.handleTime && options.reports ? { min: options.handleTime.minSeconds, max: options.handleTime.maxSeconds } : null,
    },
  };
}

/**
 * Reads every transfer's history and checks that no agent was ever held beyond its maxConcurrent, judging when
 * a held agent was free again from the ready marks the fake Vapi sent (see transfer-holds.ts for the bounds).
 */
async function checkHolds(address: string, workflowIds: readonly string[], center: ContactCenter, readyMarks: readonly ReadyMark[], encryptionKeys: string): Promise<HoldsCheck> {
  const converter = loadDataConverter(createDataConverter(payloadCodecFor(encryptionKeys)));
  const evidence: HoldEvidence = {
    endMs: Date.now(),
    ttlMs: RESERVATION_TTL_SECONDS * 1000,
    afterCallMs: afterCallFrom(center.departments),
    readyMarks: readyMarksByAgent(readyMarks),
  };
  const holds: AgentHold[] = [];
  const ended = noHoldsEnded();
  let unreadable = 0;
  let unknownReservations = 0;
  let undecodedReservations = 0;
  let connectionsWithoutHold = 0;
  await forEachHistory(
    address,
    workflowIds,
    async (workflowId, history) => {
      if (!history) {
        unreadable += 1;
        return;
      }
      const found = await holdsFromTransferHistory(converter, workflowId, history.events ?? [], evidence);
      holds.push(...found.holds);
      for (const [how, count] of Object.entries(found.ended) as [HoldEnd, number][]) ended[how] += count;
      unknownReservations += found.unknownReservations;
      undecodedReservations += found.undecodedReservations;
      connectionsWithoutHold += found.connectionsWithoutHold;
    },
    { concurrency: 8 },
  );
  const capacity = new Map(center.agents.map((agent) => [agent.id, agent.maxConcurrent]));
  // A check that reads nothing must not pass: say why the records could not be judged.
  const problems = [
    ...(unreadable > 0 ? [`${unreadable} histories could not be read`] : []),
    ...(undecodedReservations > 0 ? [`${undecodedReservations} reservation results could not be decoded (encrypted payloads need the run's key)`] : []),
    ...(holds.length === 0 && workflowIds.length > 0 ? [`no hold found in ${workflowIds.length} transfer histories (do they record reservations?)`] : []),
  ];
  return {
    ...checkOverbooking(holds, capacity),
    transfersRead: workflowIds.length - unreadable,
    unreadable,
    unknownReservations,
    ended,
    connectionsWithoutHold,
    readyMarks: readyMarks.length,
    problems,
    source:
      'transfer histories and the ready marks the bench sent, inner bounds: a hold opens at the reserveAgent (or, from a line, agentDestination) marker naming the agent; ' +
      'releaseAgent ends it when the activity started (attempt 1; else when scheduled); after agentConnected (same time, c) it ends at the first ready mark that can have reached the floor after c ' +
      '(sent by then, not accepted before c) or at c + the after-call time; else at the reservation TTL or the end of the run',
  };
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (!options) return;
  if (options.lines) return runLinesBench(options, `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim());
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  const resultsDir = path.join(PROJECT_ROOT, 'bench', 'results');
  const runDir = path.join(resultsDir, `run-${stamp}${options.label ? `-${options.label}` : ''}`);
  const logDir = path.join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const machine = describeMachine();
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  const shape = options.soak !== null ? `soak ${options.rate}/s for ${options.soak} s` : `${options.rate}/s for ${options.duration} s${options.burst ? `, burst ${options.burst.count} @ ${options.burst.ratePerSecond}/s` : ''}, ${options.runs} run(s)`;
  process.stdout.write(`Benchmark: ${shape}, topology ${options.topology}; logs in ${path.relative(PROJECT_ROOT, logDir)}\n`);

  let ref: RefCheckout | null = null;
  if (options.ref) {
    ref = await checkoutRef(options.ref, logDir);
    process.stdout.write(`  Switchboard of ${options.ref} (${ref.commit.slice(0, 12)}) from ${path.relative(PROJECT_ROOT, ref.root)}, node_modules ${ref.nodeModules}\n`);
  }
  const root = ref?.root ?? PROJECT_ROOT;
  const { center, file: routingConfig, used: contactCenter } = contactCenterFor(options, runDir, root);
  process.stdout.write(`  contact center: ${contactCenter.agentCount} agents, ${contactCenter.departments} departments (${contactCenter.file})\n`);
  const traffic = options.agents === null ? DEMO_TRAFFIC : generatedTraffic(center);
  const adminToken = randomBytes(16).toString('hex');

  const vapi = await startFakeVapi();
  const children: ManagedProcess[] = [];
  const systems: SystemResult[] = [];
  const notes: string[] = [];
  let histogram: HistogramSeries[] = [];
  let timeline: TimelineEntry[] = [];
  let pathSummary: BenchReport['criticalPath'] = null;
  let sizes: BenchReport['historySizes'] = null;
  let holds: HoldsCheck | null = null;
  let memory: BenchReport['memory'] = null;
  let temporal: Awaited<ReturnType<typeof startTemporal>> | undefined;
  const self = { name: LOAD_GENERATOR_PROCESS, pid: process.pid };
  try {
    // Switchboard.
    const compiledRoot = options.runtime === 'node' ? await compileProject(path.join(runDir, 'dist'), logDir, root) : undefined;
    const bundle = options.prebuiltBundle ? await prebuiltWorkflowBundle(path.join(runDir, 'workflow-bundle.js'), logDir, root) : undefined;
    temporal = await startTemporal({ dataDir: path.join(runDir, 'temporal'), levers: options.levers });
    const temporalPid = () => temporal?.server.pid;
    const bootStarted = performance.now();
    const switchboard = await startSwitchboard({
      temporalAddress: temporal.address,
      logDir,
      topology: options.topology,
      workers: options.workers,
      workflowBundlePath: bundle,
      root,
      ...(compiledRoot ? { compiledRoot } : {}),
      // The demo CRM's notes in the run folder, not in the checkout's .data.
      env: { LOG_LEVEL: options.logLevel, ADMIN_TOKEN: adminToken, ROUTING_CONFIG: routingConfig, DATA_DIR: path.join(runDir, 'data') },
      ...(options.profile ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', path.join(runDir, 'profiles')] } : {}),
      ...(options.entry ? { combinedEntry: options.entry } : {}),
    });
    children.push(...switchboard.processes);
    const startupMs = performance.now() - bootStarted;
    process.stdout.write(`  switchboard ready in ${(startupMs / 1000).toFixed(1)} s (${options.prebuiltBundle ? 'prebuilt bundle' : 'bundling at start'})\n`);
    const setup = [
      ref ? `Switchboard of ${ref.ref} (${ref.commit.slice(0, 12)})` : '',
      options.topology === 'combined' ? 'worker + API in one process (npm start)' : `${options.workers} worker process(es) + API process`,
      `eager activities ${options.levers.eagerActivities ? 'on' : 'off'}`,
      options.levers.storage === 'memory' ? 'in-memory SQLite' : `SQLite file, synchronous=${options.levers.sqliteSynchronous}`,
      ...(options.levers.dynamicConfig ?? []),
      options.prebuiltBundle ? 'prebuilt workflow bundle' : 'workflows bundled at start',
      options.runtime === 'node' ? 'compiled JavaScript on node' : 'TypeScript under tsx',
      `LOG_LEVEL=${options.logLevel}`,
      options.entry ? `entry ${options.entry}` : '',
    ].filter(Boolean).join(', ');
    if (options.handleTime && options.reports) {
      const { minSeconds, maxSeconds } = options.handleTime;
      const random = seededRandom(options.seed + 1);
      const agents = agentsByDestination(center);
      vapi.readyAgents({
        apiUrl: switchboard.apiUrl,
        adminToken,
        agentFor: (destination) => agents.get(destinationKey(destination)),
        handleTimeMs: () => (minSeconds + random() * (maxSeconds - minSeconds)) * 1000,
      });
    }
    // The worker's memory over a soak: the combined process serves its own /metrics on the API port.
    const worker = switchboard.workers[0]!;
    const memorySampler = options.soak !== null ? new MemorySampler(() => worker.pid, options.topology === 'combined' ? `${switchboard.apiUrl}/metrics` : undefined) : null;
    memorySampler?.start();
    const { warmup, phases } = await runPhases(options, {
      webhookUrl: switchboard.webhookUrl,
      vapi,
      reportTo: options.reports ? switchboard.webhookUrl : null,
      serverMetricsUrl: () => temporal?.metricsUrl,
      traffic,
      processes: () => [
        { name: DEV_SERVER_PROCESS, pid: temporalPid() },
        ...switchboard.processes.map((child) => ({ name: child.name, pid: child.pid })),
        self,
      ],
    });
    vapi.readyAgents(null);
    if (memorySampler) {
      const samples = await memorySampler.stop();
      memory = { samples, trend: memoryTrend(samples) };
    }
    systems.push({ system: 'switchboard', setup, startupMs, phases: phases.map(({ samples: _samples, spreadCalls: _calls, workflowIds: _ids, ...rest }) => rest) });
    histogram = phases
      .filter(isSteady)
      .slice(0, 1)
      .flatMap((phase) => [
        { system: 'switchboard', metric: 'webhook → transfer', samplesMs: phase.samples.webhookToTransferMs },
        { system: 'switchboard', metric: 'webhook acknowledged', samplesMs: phase.samples.ackMs },
      ]);
    const firstSteady = phases.find(isSteady);
    if (firstSteady) {
      // The same transfers give the critical path, the history sizes and (the median one) the timeline.
      const sample = firstSteady.sampleCall;
      const picked = [...firstSteady.spreadCalls, ...(sample ? [sample] : [])].map((call) => ({ ...call, workflowId: transferWorkflowId(call.callId, call.toolCallId) }));
      const read = new Map((await fetchHistories(temporal.address, [...new Set(picked.map((call) => call.workflowId))]).catch(() => [])).map((entry) => [entry.workflowId, entry.history]));
      const spread = firstSteady.spreadCalls.map((call) => ({ call, history: read.get(transferWorkflowId(call.callId, call.toolCallId)) })).filter((entry) => entry.history);
      pathSummary = medianCriticalPath(spread.map(({ call, history }) => ({ events: history!.events ?? [], sentAtEpochMs: call.sentAtEpochMs })));
      sizes = historySizes(spread.map(({ history }) => history!));
      const sampleHistory = sample ? read.get(transferWorkflowId(sample.callId, sample.toolCallId)) : undefined;
      if (sample && sampleHistory) timeline = describeHistory(sampleHistory.events ?? [], sample.sentAtEpochMs);
      const steps = timeline
        .filter((entry) => entry.event.startsWith('local activity completed') || entry.event.startsWith('activity scheduled'))
        .map((entry) => entry.event.replace(/^(local activity completed \(workflow time\)|activity scheduled): /, ''));
      if (sample) notes.push(`Named steps up to the transfer in one transfer's history (local activities, then activities; each a step with a summary in the Web UI): ${steps.join(', ') || 'could not read'}.`);
    }
    if (options.checkHolds) {
      const workflowIds = [...(warmup?.workflowIds ?? []), ...phases.flatMap((phase) => phase.workflowIds)];
      process.stdout.write(`  reading ${workflowIds.length} transfer histories for over-booking…\n`);
      // The stack's own payload key: the over-booking check decodes the reservations the histories sealed.
      holds = await checkHolds(temporal.address, workflowIds, center, vapi.readyMarks(), switchboard.encryptionKeys);
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
      const { phases: baselinePhases } = await runPhases(options, {
        webhookUrl: baseline.webhookUrl,
        vapi,
        reportTo: null,
        traffic,
        processes: () => [{ name: 'baseline', pid: baseline.process.pid }, self],
      });
      systems.push({
        system: 'baseline',
        setup: 'seed document handler, no durability',
        startupMs: baselineStartup,
        phases: baselinePhases.map(({ samples: _samples, spreadCalls: _calls, workflowIds: _ids, ...rest }) => rest),
      });
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
    'CPU: average over the phase, 100% = one core; RSS: peak resident memory during the phase. "temporal" is the dev server process, "load generator" this process (fake control URL and fake agents included); "service" CPU is Switchboard\'s processes (or the baseline\'s).',
    'Queries and Updates: deltas of the dev server\'s frontend `service_requests` over the phase, divided by the transfers it executed; agent-ready calls (POST /agents/:id/status) are among them (each an Update today).',
  );
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    command,
    machine,
    systems,
    targets: [
      ...checkTargets(switchboardResult, { rate: options.rate, burstExpected: options.burst !== null, criticalPath: pathSummary }),
      ...(options.agents !== null || options.soak !== null ? checkScaleTargets(switchboardResult, { rate: options.rate, historySizes: sizes, holds, memory: memory?.trend ?? null }) : []),
    ],
    notes,
    timeline,
    criticalPath: pathSummary,
    ref: ref ? { ref: ref.ref, commit: ref.commit, nodeModules: ref.nodeModules } : null,
    contactCenter,
    historySizes: sizes,
    holds,
    memory,
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
  if (!options.keepData) {
    rmSync(path.join(runDir, 'temporal'), { recursive: true, force: true });
    rmSync(path.join(runDir, 'data'), { recursive: true, force: true });
  }
  process.stdout.write(`\n${markdown}\nWritten: ${path.relative(PROJECT_ROOT, base)}.{json,md,png} (and bench/results/latest.*)\n`);
  const lostOrDoubled = switchboardResult.phases.some((phase) => phase.accounting.lost + phase.accounting.doubled > 0);
  const overbooked = holds !== null && holds.overbooked.length + holds.unknownAgents.length + holds.problems.length > 0;
  const memoryGrows = memory !== null && memory.trend !== null && !memory.trend.flat;
  if (lostOrDoubled || overbooked || memoryGrows) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
