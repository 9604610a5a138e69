import { parseArgs } from 'node:util';
import { parseBurst } from './load-generator';
import type { TemporalLevers } from './stack';
import { DEFAULT_SEED } from './contact-center-generator';
import type { LinesOptions } from './lines-options';
import { LINES_DEFAULT_DURATION_SECONDS, LINES_DEFAULT_RATE, readLinesOptions } from './lines-options';

export const HELP = `npm run bench -- [options]

Starts the Temporal dev server (file-backed, as npm start), Switchboard and the seed document's plain
handler as child processes, drives each with the same open-loop load of simulated Vapi tool calls against
a local fake control URL, and writes bench/results/bench-<time>.{json,md,png} (and latest.*).

  --agents <n>             a generated contact center of n agents (12, 500, 5000: 3, 15, 50 departments),
                           written into the run folder and used as ROUTING_CONFIG; the calls spread over
                           its departments (default: the demo center, config/contact-center.yaml)
  --seed <n>               seed of the generated center and of the handle times (default ${DEFAULT_SEED})
  --handle-time <s|a-b>    after the fake Vapi reports a transfer to an agent forwarding, the agent handles
                           the call this long (uniform in a-b seconds) and is then marked ready with
                           POST /agents/:id/status; "none" to skip (default 2-10)
  --soak <s>               soak: one phase of s seconds at --rate instead of steady and burst, the worker's
                           RSS and heap sampled every 10 s, and over-booking checked from the histories
                           (no burst, no baseline)
  --check-holds            check over-booking from the histories after any run (always on with --soak)
  --ref <git-ref>          run that commit's Switchboard (a git worktree under bench/.refs/) with this
                           checkout's bench, to measure before and after side by side
  --rate <n>               steady load, transfers per second (default 20; --lines: ${LINES_DEFAULT_RATE})
  --duration <s>           steady load duration in seconds (default 30; --lines: ${LINES_DEFAULT_DURATION_SECONDS})
  --lines                  callers waiting in line under load instead of the phases above: a generated center
                           whose agents serve --serve-rate, every department with a line; arrivals at --rate for
                           --duration, then the load stops and the lines drain; agents marked ready after
                           --handle-time; a share of waiting callers hang up. Reports waits, ready mark → that
                           agent's transfer, the lines' length each second, and every caller's end
                           (bench/harness/lines-*.ts; no baseline, burst or --ref)
  --serve-rate <n>         --lines: calls per second the agents serve (agents / mean handle time; default
                           three quarters of --rate)
  --abandon <share>        --lines: share of the callers told they wait who hang up during it (default 0.1)
  --max-wait <s>           --lines: every line's max-wait-seconds (default: from the load, see the report)
  --max-waiting <n>        --lines: every line's max-waiting (default: from the load)
  --burst <count@rate>     burst phase, e.g. 300@100; "none" to skip (default 300@100)
  --runs <n>               repeat the steady and burst phases n times on the same stack (default 1)
  --warmup <s>             unmeasured warm-up at half the rate before the first phase (default 5)
  --topology <t>           combined (worker + API in one process, as npm start) or split
                           (start:worker ×--workers + start:api) (default combined)
  --workers <n>            worker processes in the split topology (default 1)
  --no-eager-activities    dev server: system.enableActivityEagerExecution=false (the CLI's own default;
                           npm start turns it on)
  --sqlite-sync <mode>     dev server SQLite synchronous: NORMAL (default, as npm start) or OFF
  --in-memory              dev server without a database file (nothing survives a restart): a ceiling only
  --dynamic-config <k=v>   another dev server dynamic config value (repeatable), for experiments
  --no-prebuilt-bundle     let the worker bundle the workflows at start (default: prebuilt, as the image)
  --no-reports             do not play Vapi's forwarding status-update after each transfer
  --no-baseline            skip the baseline
  --entry <file>           combined-process entry point (lever experiments; default src/main.ts)
  --label <text>           added to the result file names
  --keep-data              keep the dev server's database file
  --runtime <r>            tsx (TypeScript sources, as npm start) or node (compiled JavaScript, as the
                           container image) (default tsx)
  --log-level <level>      LOG_LEVEL of the Switchboard processes (default info, as deployed)
  --profile                CPU-profile the Switchboard processes (.cpuprofile files in the run folder)
`;

export interface BenchOptions {
  agents: number | null;
  seed: number;
  /** Seconds, uniform between the two; null: agents are not marked ready. */
  handleTime: { minSeconds: number; maxSeconds: number } | null;
  /** Soak duration in seconds; null: steady and burst phases. */
  soak: number | null;
  checkHolds: boolean;
  ref: string | undefined;
  rate: number;
  duration: number;
  burst: { count: number; ratePerSecond: number } | null;
  runs: number;
  warmup: number;
  topology: 'combined' | 'split';
  workers: number;
  levers: TemporalLevers;
  prebuiltBundle: boolean;
  reports: boolean;
  baseline: boolean;
  entry: string | undefined;
  label: string | undefined;
  keepData: boolean;
  profile: boolean;
  runtime: 'tsx' | 'node';
  logLevel: string;
  /** --lines: the lines-under-load run instead of the phases; null otherwise. */
  lines: LinesOptions | null;
}

/** Parses the command line; null after printing --help. */
export function readOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      agents: { type: 'string' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      'handle-time': { type: 'string', default: '2-10' },
      soak: { type: 'string' },
      'check-holds': { type: 'boolean', default: false },
      ref: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      lines: { type: 'boolean', default: false },
      'serve-rate': { type: 'string' },
      abandon: { type: 'string' },
      'max-wait': { type: 'string' },
      'max-waiting': { type: 'string' },
      burst: { type: 'string', default: '300@100' },
      runs: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '5' },
      topology: { type: 'string', default: 'combined' },
      workers: { type: 'string', default: '1' },
      'no-eager-activities': { type: 'boolean', default: false },
      'sqlite-sync': { type: 'string', default: 'NORMAL' },
      'dynamic-config': { type: 'string', multiple: true, default: [] },
      'in-memory': { type: 'boolean', default: false },
      'no-prebuilt-bundle': { type: 'boolean', default: false },
      'no-reports': { type: 'boolean', default: false },
      'no-baseline': { type: 'boolean', default: false },
      entry: { type: 'string' },
      label: { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      runtime: { type: 'string', default: 'tsx' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return null;
  }
  const positive = (name: string, text: string) => {
    const value = Number(text);
    if (!(value > 0)) throw new Error(`--${name} must be a positive number, got "${text}"`);
    return value;
  };
  const integer = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value)) throw new Error(`--${name} must be an integer, got "${text}"`);
    return value;
  };
  if (values.runtime !== 'tsx' && values.runtime !== 'node') throw new Error('--runtime must be tsx or node');
  if (values.topology !== 'combined' && values.topology !== 'split') throw new Error('--topology must be combined or split');
  const sync = values['sqlite-sync'].toUpperCase();
  if (sync !== 'NORMAL' && sync !== 'OFF') throw new Error('--sqlite-sync must be NORMAL or OFF');
  const soak = values.soak === undefined ? null : positive('soak', values.soak);
  const rate = positive('rate', values.rate ?? String(values.lines ? LINES_DEFAULT_RATE : 20));
  return {
    agents: values.agents === undefined ? null : Math.round(positive('agents', values.agents)),
    seed: integer('seed', values.seed),
    handleTime: parseHandleTime(values['handle-time']),
    soak,
    checkHolds: values['check-holds'] || soak !== null,
    ref: values.ref,
    rate,
    duration: positive('duration', values.duration ?? String(values.lines ? LINES_DEFAULT_DURATION_SECONDS : 30)),
    burst: values.burst === 'none' || soak !== null ? null : parseBurst(values.burst),
    runs: Math.round(positive('runs', values.runs)),
    warmup: Number(values.warmup) || 0,
    topology: values.topology,
    workers: Math.round(positive('workers', values.workers)),
    levers: { eagerActivities: !values['no-eager-activities'], sqliteSynchronous: sync, dynamicConfig: values['dynamic-config'], storage: values['in-memory'] ? 'memory' : 'file' },
    prebuiltBundle: !values['no-prebuilt-bundle'],
    reports: !values['no-reports'],
    baseline: !values['no-baseline'] && soak === null,
    entry: values.entry,
    label: values.label,
    keepData: values['keep-data'],
    profile: values.profile,
    runtime: values.runtime === 'node' ? 'node' : 'tsx',
    logLevel: values['log-level'],
    lines: values.lines ? readLinesOptions(values, rate) : null,
  };
}

/** `2-10` (uniform between, seconds), `5` (always), or `none`. */
export function parseHandleTime(text: string): BenchOptions['handleTime'] {
  if (text === 'none') return null;
  const match = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(text.trim());
  const minSeconds = Number(match?.[1]);
  const maxSeconds = Number(match?.[2] ?? match?.[1]);
  if (!match || !(maxSeconds >= minSeconds)) throw new Error(`--handle-time must look like 2-10 (seconds, low-high), 5, or none; got "${text}"`);
  return { minSeconds, maxSeconds };
}
