import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { PROJECT_ROOT } from '../../src/config/paths';
import type { DevServer } from '../../src/dev/dev-server';
import { startDevServer } from '../../src/dev/dev-server';
import { freePort } from '../../src/temporal/free-port';
import { temporalCliPath } from '../../src/dev/temporal-binaries';
import { workflowBundleVariant } from '../../src/temporal/data-converter';
import { newEncryptionKeySpec } from '../../src/temporal/payload-encryption';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes';
import type { ManagedProcess } from './processes';
import { spawnJavaScript, spawnProcess, spawnTypeScript, waitForHttpOk } from './processes';

/** Knobs of the Temporal dev server that the benchmark compares (see BENCHMARKS.md, "Levers"). */
export interface TemporalLevers {
  /** `system.enableActivityEagerExecution`: the server hands activities back with the workflow task's answer (npm start's default). */
  eagerActivities: boolean;
  /** SQLite `synchronous`; the dev server default here is NORMAL (WAL). OFF trades durability on power loss for speed. */
  sqliteSynchronous: 'NORMAL' | 'OFF';
  /** file = SQLite file as `npm start` (default); memory = in-memory SQLite, nothing survives a restart (a ceiling, not a setup). */
  storage?: 'file' | 'memory';
  /** Further `--dynamic-config-value` settings (`key=json`), for experiments. */
  dynamicConfig?: string[];
}

/** As `npm start` runs the dev server. */
export const DEFAULT_TEMPORAL_LEVERS: TemporalLevers = { eagerActivities: true, sqliteSynchronous: 'NORMAL' };

export interface TemporalServer {
  address: string;
  port: number;
  /** The server's own Prometheus endpoint. */
  metricsUrl: string;
  dbFile: string;
  server: DevServer;
  /** Starts the server again on the same port and database file (after a crash or a stop). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function temporalExtraArgs(levers: TemporalLevers): string[] {
  const args: string[] = [];
  // devServerArgs already passes synchronous=NORMAL; the CLI keeps the last value given for a pragma.
  if (levers.sqliteSynchronous !== 'NORMAL') args.push('--sqlite-pragma', `synchronous=${levers.sqliteSynchronous}`);
  for (const setting of levers.dynamicConfig ?? []) args.push('--dynamic-config-value', setting);
  return args;
}

/** The embedded dev server, file-backed as `npm start` runs it, in a scratch data folder. */
export async function startTemporal(options: { dataDir: string; levers?: TemporalLevers }): Promise<TemporalServer> {
  const levers = options.levers ?? DEFAULT_TEMPORAL_LEVERS;
  const port = await freePort();
  const metricsPort = await freePort();
  const dbFile = path.join(options.dataDir, 'temporal.sqlite');
  mkdirSync(options.dataDir, { recursive: true });
  const launch = async () => {
    const server = await startDevServer({
      cliPath: temporalCliPath(),
      port,
      ...(levers.storage === 'memory' ? {} : { dbFile }),
      eagerActivities: levers.eagerActivities,
      extraArgs: [...temporalExtraArgs(levers), '--metrics-port', String(metricsPort)],
      startupTimeoutMs: 60_000,
    });
    // On an existing file the CLI does not apply --search-attribute again; register them as npm start does.
    const connection = await Connection.connect({ address: server.address });
    try {
      await ensureSearchAttributes(connection, 'default');
    } finally {
      await connection.close();
    }
    return server;
  };
  const handle: TemporalServer = {
    address: `127.0.0.1:${port}`,
    port,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    dbFile,
    server: await launch(),
    async restart() {
      handle.server = await launch();
    },
    stop: () => handle.server.stop(),
  };
  return handle;
}

/**
 * Bundles the workflows once per run with the project's own `build:workflow-bundle` script, so the bundle
 * is built exactly as for a deployment (same converters, same entry).
 */
export async function prebuiltWorkflowBundle(file: string, logDir: string, root = PROJECT_ROOT): Promise<string> {
  // The benchmark and chaos encrypt payloads, as every deployment does: workers run the `.encrypted.js` variant,
  // which WORKFLOW_BUNDLE_PATH (this file's name) leads them to.
  const child = spawnTypeScript('scripts/bundle-workflows.ts', { name: 'bundle', args: [file, '--only', 'encrypted'], logFile: path.join(logDir, 'bundle.log'), cwd: root });
  const code = await child.exited;
  if (code !== 0 || !existsSync(workflowBundleVariant(file, true))) throw new Error(`could not build the workflow bundle:\n${child.outputTail()}`);
  return file;
}

/** Compiles the project at `root` as the image's build step does, into `outDir` (not dist/, which may be in use). */
export async function compileProject(outDir: string, logDir: string, root = PROJECT_ROOT): Promise<string> {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const child = spawnProcess(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], { name: 'tsc', logFile: path.join(logDir, 'tsc.log'), cwd: root });
  await child.exited;
  // tsc emits even with type errors; what matters here is that the entry points exist.
  if (!existsSync(path.join(outDir, 'src', 'main.js'))) throw new Error(`compilation failed:\n${child.outputTail()}`);
  return outDir;
}

export interface SwitchboardOptions {
  temporalAddress: string;
  logDir: string;
  /** combined = worker and API in one process (`npm start`); split = `start:worker` ×N + `start:api`. */
  topology: 'combined' | 'split';
  workers?: number;
  workflowBundlePath?: string;
  /** Overrides the entry of the combined process (a lever experiment). */
  combinedEntry?: string;
  env?: Record<string, string | undefined>;
  /** Node flags for every Switchboard process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /**
   * Where `tsc -p tsconfig.build.json` put the compiled project: run that with plain node (as the image
   * does) instead of the TypeScript sources under tsx (as `npm start` does).
   */
  compiledRoot?: string;
  /** The checkout whose Switchboard runs (another commit's worktree, see ref-checkout.ts); default this one. */
  root?: string;
}

export interface Switchboard {
  webhookUrl: string;
  apiUrl: string;
  processes: ManagedProcess[];
  /** The payload key every process of this stack encrypts with (PAYLOAD_ENCRYPTION_KEYS): to read its histories. */
  encryptionKeys: string;
  /** The worker processes (the combined process counts as one). */
  workers: ManagedProcess[];
  /**
   * Starts a replacement for worker `index` (after it was killed), optionally with extra node flags (fault
   * preloads) and environment on top of the stack's (a value undefined unsets it).
   */
  restartWorker(index: number, extra?: { preloads?: string[]; env?: Record<string, string | undefined> }): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

/**
 * What every Switchboard process of the benchmark shares: a local fake control URL, no webhook auth, no rate
 * limit, and one payload encryption key (every process refuses to start without one, as in production).
 */
function switchboardEnv(options: SwitchboardOptions, port: number): Record<string, string | undefined> {
  return {
    PAYLOAD_ENCRYPTION_KEYS: newEncryptionKeySpec('bench'),
    TEMPORAL_ADDRESS: options.temporalAddress,
    PORT: String(port),
    CONTROL_URL_ALLOWED_HOSTS: '*.vapi.ai,127.0.0.1',
    VAPI_WEBHOOK_AUTH: 'none',
    // The load comes from one address at well over the production per-client limit.
    WEBHOOK_RATE_LIMIT_PER_MINUTE: '100000000',
    WEBHOOK_RATE_LIMIT_PER_CALL_PER_MINUTE: '100000000',
    TRANSFER_OUTCOME_TIMEOUT_SECONDS: '30',
    // Several worker processes on one machine: each picks a free port for its /metrics.
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    WORKFLOW_BUNDLE_PATH: options.workflowBundlePath,
    VAPI_API_KEY: undefined,
    ...options.env,
  };
}

export async function startSwitchboard(options: SwitchboardOptions): Promise<Switchboard> {
  const port = await freePort();
  const env = switchboardEnv(options, port);
  const apiUrl = `http://127.0.0.1:${port}`;
  const processes: ManagedProcess[] = [];
  const workers: ManagedProcess[] = [];
  const log = (name: string) => path.join(options.logDir, `${name}.log`);
  const run = (entry: string, name: string, preloads: string[] = [], extraEnv: Record<string, string | undefined> = {}) => {
    const spawnOptions = { name, env: { ...env, ...extraEnv }, logFile: log(name), nodeArgs: options.nodeArgs ?? [], preloads, cwd: options.root ?? PROJECT_ROOT };
    return options.compiledRoot
      ? spawnJavaScript(path.join(options.compiledRoot, entry.replace(/\.ts$/, '.js')), spawnOptions)
      : spawnTypeScript(entry, spawnOptions);
  };
  const spawnWorker = (index: number, preloads: string[] = [], extraEnv: Record<string, string | undefined> = {}) =>
    run('src/temporal/main-worker.ts', `worker-${index + 1}`, preloads, extraEnv);

  try {
    if (options.topology === 'combined') {
      const main = run(options.combinedEntry ?? 'src/main.ts', 'switchboard');
      processes.push(main);
      workers.push(main);
      await waitForHttpOk(`${apiUrl}/readyz`, { process: main });
    } else {
      const count = options.workers ?? 1;
      for (let index = 0; index < count; index += 1) workers.push(spawnWorker(index));
      const api = run('src/api/main.ts', 'api');
      processes.push(...workers, api);
      await Promise.all(workers.map((worker) => worker.waitForOutput(/worker polling/)));
      await waitForHttpOk(`${apiUrl}/readyz`, { process: api });
    }
  } catch (error) {
    // One process failed to come up: stop the others, which nobody would stop otherwise.
    await Promise.all(processes.map((child) => child.stop().catch(() => undefined)));
    throw error;
  }

  return {
    webhookUrl: `${apiUrl}/webhook`,
    apiUrl,
    processes,
    encryptionKeys: env.PAYLOAD_ENCRYPTION_KEYS!,
    workers,
    async restartWorker(index, extra) {
      if (options.topology === 'combined') throw new Error('restartWorker needs the split topology');
      const replacement = spawnWorker(index, extra?.preloads ?? [], extra?.env ?? {});
      const at = processes.indexOf(workers[index]!);
      workers[index] = replacement;
      processes[at] = replacement;
      await replacement.waitForOutput(/worker polling/);
      return replacement;
    },
    async stop() {
      await Promise.all(processes.map((child) => child.stop()));
    },
  };
}

/** The seed document's plain handler, as its own process. */
export async function startBaseline(options: { logDir: string }): Promise<{ webhookUrl: string; process: ManagedProcess }> {
  const port = await freePort();
  const child = spawnTypeScript('bench/baseline-server.ts', {
    name: 'baseline',
    env: { PORT: String(port) },
    logFile: path.join(options.logDir, 'baseline.log'),
  });
  await waitForHttpOk(`http://127.0.0.1:${port}/healthz`, { process: child }).catch(async (error: unknown) => {
    await child.stop();
    throw error;
  });
  return { webhookUrl: `http://127.0.0.1:${port}/webhook`, process: child };
}
