import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { PROJECT_ROOT } from '../src/config/paths';
import { startFakeVapi } from '../bench/harness/fake-vapi';
import type { AgentReadiness, FakeVapi } from '../bench/harness/fake-vapi';
import { openLoopSchedule } from '../bench/harness/load-generator';
import { runLoadPhase } from '../bench/harness/load-phase';
import { describeMachine } from '../bench/harness/machine';
import { DEFAULT_TEMPORAL_LEVERS, prebuiltWorkflowBundle, startSwitchboard, startTemporal } from '../bench/harness/stack';
import type { Switchboard, TemporalServer } from '../bench/harness/stack';
import { accountTransfers } from '../bench/harness/accounting';
import { agentsByDestination, destinationKey, seededRandom } from '../bench/harness/contact-center-generator';
import { loadContactCenter } from '../src/config/contact-center';
import { DEFAULT_ROUTING_CONFIG } from '../src/config/env';
import { recordedOutcomes } from '../bench/harness/outcomes';
import { dropIdleSockets } from '../bench/harness/webhook-client';
import { HOLD_MESSAGE } from '../src/workflows/transfer/describe';
import type { ChaosReport, ScenarioResult } from './report';
import { markdownChaosReport, progressLine, scenarioPassed } from './report';
import type { OperatorScenario } from './operator-scenarios';
import { OPERATOR_SCENARIOS } from './operator-scenarios';
import { DEFAULT_PORTS, OperatorStack } from './operator-stack';
import type { ChaosContext } from './scenarios';
import { CONTROL_LATENCY_MS, SCENARIOS } from './scenarios';

/**
 * How long an agent a transfer reached handles the call before their desk marks them ready (operator API), as
 * in the benchmark; an agent nobody marks ready stays busy for the department's after-call-seconds (300 s),
 * longer than a scenario.
 */
const HANDLE_TIME_MS = { min: 2_000, max: 6_000 };

/**
 * The default routing file without its departments' lines, as the tests that run many transfers have it: the
 * faults here are about delivering a transfer, and 12 agents cannot take 3 calls a second, so with lines most
 * callers would be waiting in one (with the assistant, not transferred, no `say`) when a scenario is counted.
 * Without lines a caller who finds every qualified agent busy goes to the department's phone line at once.
 */
function routingFileWithoutLines(file: string): string {
  const center = parseYaml(readFileSync(DEFAULT_ROUTING_CONFIG, 'utf8')) as { departments?: Record<string, Record<string, unknown>> };
  for (const department of Object.values(center.departments ?? {})) delete department.queue;
  writeFileSync(file, stringifyYaml(center));
  return file;
}

const HELP = `npm run chaos -- [options]

Runs Switchboard as separate processes (Temporal dev server on a SQLite file, two start:worker processes,
one start:api) under an open-loop load of simulated Vapi tool calls, injects one fault per scenario, and
counts for each: webhooks accepted, transfers executed exactly once, lost, doubled, callers told. Every
scenario routes with the default routing file without its lines (12 agents; every one busy: the department's
phone line), and an agent a transfer reached is marked ready through the operator API 2-6 s after Vapi
reported it forwarding.
"Doubled" is more than one transfer the fake Vapi acted on for one call (a refused or dropped POST is not
acted on; a 502/504 answered after Vapi took the command is). A call with no transfer whose caller heard the
hold message and whose workflow recorded 'unknown' counts as "unknown, told to hold"; one with no transfer and
no say at all is lost. Writes chaos/results/chaos-<time>.{json,md} (and latest.*). Exits non-zero if
anything was lost or doubled.

(a)-(f), (k) and (l) share one stack on free ports (workers with a stand-in VAPI_API_KEY unless said):
  (a) SIGKILL a worker mid-transfer and restart it; then the other one
  (b) SIGKILL the Temporal dev server and restart it on the same database file
  (c) the control URL answers 503 for a while, then recovers
  (d) the control URL takes the transfer but its answer is lost (client timeout after sending)
  (e) the CRM is down: routing degrades to defaults
  (f) every webhook delivered three times at once
  (l) 3/s for 20 s: for 10 s every control request is answered 502 or 504; Vapi acted on half of those
      transfers (the answer lost) and not on the other half; workers have VAPI_API_KEY and the fake Vapi's
      GET /call/{id} answers truthfully, so only the ones it did not act on may be sent again
  (k) 3/s for 30 s, workers without VAPI_API_KEY: the whole time, SIGKILL the worker that sent the next
      transfer POST (worker 1, then 2) while its answer is held, and start it again; Vapi acts on the POST of
      every other kill and drops the rest. Runs last of (a)-(l): it restarts both workers without the key
(g)-(j) start every process with the README's npm run start:* commands on the default ports (3000, 7233,
8233, 9464 must be free), a stack of their own each:
  (g) two workers on one host with default settings
  (h) a worker restarted while the dev server is down; the server back 3 s later, under load
  (i) the API (and the workers) started before the dev server
  (j) the operators' fault run: 15 webhooks/s for 10 s; SIGKILL worker 1, restart it 2 s later, SIGKILL
      the dev server 1 s after that and start it again

  --rate <n>        transfers per second during each scenario that does not fix its own (default 3)
  --duration <s>    load per scenario in seconds, unless the scenario fixes it (default 15)
  --only <ids>      e.g. --only a,b
  --keep-data       keep the dev server's database (the logs are always kept)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '3' },
      duration: { type: 'string', default: '15' },
      only: { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const rate = Number(values.rate);
  const duration = Number(values.duration);
  if (!(rate > 0) || !(duration > 0)) throw new Error('--rate and --duration must be positive numbers');
  const only = values.only ? new Set(values.only.split(',').map((id) => id.trim())) : null;
  const scenarios = SCENARIOS.filter((scenario) => !only || only.has(scenario.id));
  const operatorScenarios = OPERATOR_SCENARIOS.filter((scenario) => !only || only.has(scenario.id));
  if (scenarios.length + operatorScenarios.length === 0) {
    throw new Error(`--only matched no scenario (ids: ${[...SCENARIOS, ...OPERATOR_SCENARIOS].map((s) => s.id).join(', ')})`);
  }

  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  const resultsDir = path.join(PROJECT_ROOT, 'chaos', 'results');
  const runDir = path.join(resultsDir, `run-${stamp}`);
  const logDir = path.join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const command = `npm run chaos -- ${process.argv.slice(2).join(' ')}`.trim();
  process.stdout.write(
      `Chaos: ${[...scenarios, ...operatorScenarios].map((s) => `(${s.id})`).join(' ')} at ${rate}/s for ${duration} s each unless a scenario fixes its own; logs in ${path.relative(PROJECT_ROOT, logDir)}\n`,
  );

  const vapi = await startFakeVapi();
  const adminToken = randomBytes(16).toString('hex');
  const routingFile = routingFileWithoutLines(path.join(runDir, 'contact-center-without-lines.yaml'));
  const agents = agentsByDestination(loadContactCenter(routingFile));
  const random = seededRandom(7);
  /** The agents' desks: each agent a transfer reached is marked ready through that stack's API after a handle time. */
  const desk = (apiUrl: string, token: string): AgentReadiness => ({
    apiUrl,
    adminToken: token,
    agentFor: (destination) => agents.get(destinationKey(destination)),
    handleTimeMs: () => HANDLE_TIME_MS.min + random() * (HANDLE_TIME_MS.max - HANDLE_TIME_MS.min),
  });
  let temporal: TemporalServer | undefined;
  let switchboard: Switchboard | undefined;
  const results: ScenarioResult[] = [];
  try {
    if (scenarios.length > 0) {
      const bundle = await prebuiltWorkflowBundle(path.join(runDir, 'workflow-bundle.js'), logDir);
      temporal = await startTemporal({ dataDir: path.join(runDir, 'temporal'), levers: DEFAULT_TEMPORAL_LEVERS });
      switchboard = await startSwitchboard({
        temporalAddress: temporal.address,
        logDir,
        topology: 'split',
        workers: 2,
        workflowBundlePath: bundle,
        // A stand-in for Vapi's API, so a worker can ask where a call stands before it would send a transfer again.
        env: { VAPI_API_KEY: 'chaos-fake-key', VAPI_BASE_URL: vapi.apiBaseUrl, ADMIN_TOKEN: adminToken, ROUTING_CONFIG: routingFile },
      });
      process.stdout.write(`  stack up: Temporal ${temporal.address}, ${switchboard.workers.length} workers, API ${switchboard.apiUrl}\n`);

      for (const scenario of scenarios) {
        const notes: string[] = [];
        const ctx: ChaosContext = { switchboard, temporal, vapi, logDir, note: (text) => notes.push(text) };
        const t = temporal;
        const s = switchboard;
        const scenarioRate = scenario.rate ?? rate;
        const scenarioDuration = scenario.durationSeconds ?? duration;
        process.stdout.write(`  (${scenario.id}) ${scenario.name}: ${scenario.fault} (${scenarioRate}/s for ${scenarioDuration} s)\n`);
        playVapi(vapi, switchboard.webhookUrl, desk(switchboard.apiUrl, adminToken));
        try {
          await scenario.before?.(ctx);
          const phase = await runLoadPhase({
            name: scenario.name,
            webhookUrl: switchboard.webhookUrl,
            schedule: openLoopSchedule({ ratePerSecond: scenarioRate, durationSeconds: scenarioDuration }),
            vapi,
            deliveriesPerCall: scenario.deliveriesPerCall ?? 1,
            holdMessage: HOLD_MESSAGE,
            recordedOutcomes: (workflowIds) => recordedOutcomes(t.address, workflowIds),
            drainTimeoutMs: 90_000,
            lingerMs: 5_000,
            during: scenario.during?.(ctx) ?? [],
            processes: () => [{ name: 'temporal', pid: t.server.pid }, ...s.processes.map((child) => ({ name: child.name, pid: child.pid }))],
          });
          await scenario.after?.(ctx);
          const fault = scenario.rate || scenario.durationSeconds ? `${scenario.fault} (${scenarioRate}/s for ${scenarioDuration} s)` : scenario.fault;
          results.push(phaseResult(scenario, fault, phase, [
            ...notes,
            ...(vapi.refusedCommands() > 0 ? [`${vapi.refusedCommands()} control request(s) refused or dropped by the control URL (not acted on)`] : []),
            ...(vapi.actedDespiteError() > 0 ? [`${vapi.actedDespiteError()} control request(s) acted on although answered with an error`] : []),
            ...(vapi.statusLookups() > 0 ? [`Vapi call status asked ${vapi.statusLookups()} time(s)`] : []),
            `agents marked ready: ${phase.readyCalls.accepted} of ${phase.readyCalls.scheduled}`,
          ]));
        } catch (error) {
          results.push(failedResult(scenario, notes, error));
        }
        const last = results[results.length - 1]!;
        process.stdout.write(
          `      ${progressLine(last)}\n`,
        );
        vapi.reportTo(null);
        vapi.readyAgents(null);
        dropIdleSockets();
      }
      await switchboard?.stop().catch(() => undefined);
      await temporal?.stop().catch(() => undefined);
      switchboard = undefined;
      temporal = undefined;
    }
    for (const scenario of operatorScenarios) {
      results.push(await runOperatorScenario(scenario, { vapi, rate, duration, runDir, logDir, routingFile, desk }));
      const last = results[results.length - 1]!;
      process.stdout.write(
        `      ${progressLine(last)}\n`,
      );
    }
  } finally {
    await switchboard?.stop().catch(() => undefined);
    await temporal?.stop().catch(() => undefined);
    await vapi.close();
  }

  const report: ChaosReport = {
    startedAt: new Date().toISOString(),
    command,
    machine: describeMachine(),
    load: `${rate} transfers/s for ${duration} s per scenario unless it fixes its own, open loop; control URL answers in ${CONTROL_LATENCY_MS} ms; fake Vapi posts a 'forwarding' status-update 200 ms after each transfer it acted on and answers GET /call/{id} (forwarding once it acted on a transfer, else in-progress)`,
    scenarios: results,
  };
  const base = path.join(resultsDir, `chaos-${stamp}`);
  const markdown = markdownChaosReport(report);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown);
  for (const ext of ['json', 'md']) copyFileSync(`${base}.${ext}`, path.join(resultsDir, `latest.${ext}`));
  if (!values['keep-data']) {
    for (const dir of readdirSync(runDir).filter((name) => name.startsWith('temporal'))) rmSync(path.join(runDir, dir), { recursive: true, force: true });
  }
  process.stdout.write(`\n${markdown}\nWritten: ${path.relative(PROJECT_ROOT, base)}.{json,md} (and chaos/results/latest.*)\n`);
  if (!results.every(scenarioPassed)) process.exitCode = 1;
}

/** Vapi as every scenario starts with it: fresh records, the control URL taking commands, forwarding reported, agents marked ready. */
function playVapi(vapi: FakeVapi, webhookUrl: string, readiness: AgentReadiness): void {
  vapi.reset();
  vapi.answerWith(() => ({ status: 200, body: {}, delayMs: CONTROL_LATENCY_MS }));
  vapi.reportTo(webhookUrl, 200);
  vapi.readyAgents(readiness);
}

/** One operator scenario on a stack of its own, started with the README's commands on the default ports. */
async function runOperatorScenario(
  scenario: OperatorScenario,
  options: {
    vapi: FakeVapi;
    rate: number;
    duration: number;
    runDir: string;
    logDir: string;
    routingFile: string;
    desk: (apiUrl: string, adminToken: string) => AgentReadiness;
  },
): Promise<ScenarioResult> {
  const { vapi } = options;
  const notes: string[] = [];
  const rate = scenario.rate ?? options.rate;
  const duration = scenario.durationSeconds ?? options.duration;
  process.stdout.write(`  (${scenario.id}) ${scenario.name}: ${scenario.fault} (${rate}/s for ${duration} s)\n`);
  const logDir = path.join(options.logDir, scenario.id);
  const stack = new OperatorStack({ logDir, dataDir: path.join(options.runDir, `temporal-${scenario.id}`), vapiApiBaseUrl: vapi.apiBaseUrl, routingConfig: options.routingFile });
  playVapi(vapi, stack.webhookUrl, options.desk(stack.apiUrl, stack.adminToken));
  const ctx = { stack, vapi, note: (text: string) => notes.push(text) };
  try {
    await OperatorStack.assertDefaultPortsFree();
    await scenario.before(ctx);
    const phase = await runLoadPhase({
      name: scenario.name,
      webhookUrl: stack.webhookUrl,
      schedule: openLoopSchedule({ ratePerSecond: rate, durationSeconds: duration }),
      vapi,
      holdMessage: HOLD_MESSAGE,
      recordedOutcomes: (workflowIds) => recordedOutcomes(`127.0.0.1:${DEFAULT_PORTS.temporal}`, workflowIds),
      drainTimeoutMs: 90_000,
      lingerMs: 5_000,
      during: scenario.during?.(ctx) ?? [],
      processes: () => stack.processes(),
    });
    await scenario.after?.(ctx);
    return phaseResult(scenario, `${scenario.fault} (${rate}/s for ${duration} s; logs in ${path.relative(PROJECT_ROOT, logDir)})`, phase, [
      ...notes,
      ...(vapi.statusLookups() > 0 ? [`Vapi call status asked ${vapi.statusLookups()} time(s)`] : []),
      `agents marked ready: ${phase.readyCalls.accepted} of ${phase.readyCalls.scheduled}`,
    ]);
  } catch (error) {
    return failedResult(scenario, notes, error);
  } finally {
    vapi.reportTo(null);
    vapi.readyAgents(null);
    await stack.stop().catch(() => undefined);
    dropIdleSockets();
  }
}

type LoadPhase = Awaited<ReturnType<typeof runLoadPhase>>;

function phaseResult(scenario: { id: string; name: string }, fault: string, phase: LoadPhase, notes: string[]): ScenarioResult {
  return {
    id: scenario.id,
    name: scenario.name,
    fault,
    deliveries: phase.deliveries,
    answers: phase.answers,
    accounting: phase.accounting,
    webhookToTransferMs: phase.webhookToTransferMs,
    ackMs: phase.ackMs,
    notes: [...notes, ...phase.errorSamples.map((text) => `error: ${text}`)],
    error: null,
  };
}

function failedResult(scenario: { id: string; name: string; fault: string }, notes: string[], error: unknown): ScenarioResult {
  return {
    id: scenario.id,
    name: scenario.name,
    fault: scenario.fault,
    deliveries: 0,
    answers: {},
    accounting: accountTransfers([], []),
    webhookToTransferMs: { count: 0, min: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN },
    ackMs: { count: 0, min: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN },
    notes,
    error: error instanceof Error ? error.message.split('\n')[0]! : String(error),
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
