import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ManagedProcess } from '../bench/harness/processes';
import { descendantPids, pidMatching, spawnNpmScript } from '../bench/harness/processes';
import { canConnect } from '../src/dev/dev-server';
import { newEncryptionKeySpec } from '../src/temporal/payload-encryption';

/** The ports the README's commands use when nothing is set: the API, the dev server, its Web UI, worker metrics. */
export const DEFAULT_PORTS = { api: 3000, temporal: 7233, ui: 8233, metrics: 9464 } as const;

const portTaken = (port: number): Promise<boolean> => canConnect('127.0.0.1', port);

/**
 * Switchboard started exactly as "Run the processes apart" in the README says: `npm run start:temporal`,
 * `npm run start:worker` (as many as wanted, all with the default METRICS_PORT) and `npm run start:api`, on
 * the default ports, with the variables listed there. The only additions are where the dev server keeps its
 * file (a scratch DATA_DIR, not the checkout's .data) and a stand-in for Vapi's API.
 */
export class OperatorStack {
  temporal: ManagedProcess | undefined;
  readonly workers: ManagedProcess[] = [];
  api: ManagedProcess | undefined;
  private readonly all: ManagedProcess[] = [];
  private readonly env: Record<string, string | undefined>;
  private starts = 0;

  constructor(
    private readonly options: { logDir: string; dataDir: string; vapiApiBaseUrl: string; routingConfig: string },
  ) {
    this.env = {
      // Nothing that would move a process off the defaults.
      TEMPORAL_ADDRESS: undefined,
      PORT: undefined,
      DEV_SERVER_PORT: undefined,
      DEV_UI_PORT: undefined,
      METRICS_PORT: undefined,
      WORKFLOW_BUNDLE_PATH: undefined,
      TEMPORAL_TASK_QUEUE: undefined,
      // As the README lists them for the processes apart with the local simulator: one key for every process
      // (step 0 there makes it with `openssl rand -base64 32`; the same 32 random bytes here).
      PAYLOAD_ENCRYPTION_KEYS: newEncryptionKeySpec('k1'),
      PAYLOAD_ENCRYPTION: undefined,
      VAPI_WEBHOOK_AUTH: 'none',
      CONTROL_URL_ALLOWED_HOSTS: '127.0.0.1',
      ADMIN_TOKEN: 'chaos-admin-token',
      DATA_DIR: options.dataDir,
      VAPI_API_KEY: 'chaos-fake-key',
      VAPI_BASE_URL: options.vapiApiBaseUrl,
      LOG_LEVEL: 'info',
      // The routing file is the contact center's, not a process setting: the same one as the other scenarios.
      ROUTING_CONFIG: options.routingConfig,
    };
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${DEFAULT_PORTS.api}/webhook`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${DEFAULT_PORTS.api}`;
  }

  get adminToken(): string {
    return this.env.ADMIN_TOKEN!;
  }

  /** Refuses to start on a machine where something else holds a default port (it would not be this stack). */
  static async assertDefaultPortsFree(): Promise<void> {
    for (const [name, port] of Object.entries(DEFAULT_PORTS)) {
      if (await portTaken(port)) throw new Error(`port ${port} (${name}) is in use: the operator scenarios need the default ports free`);
    }
  }

  private spawn(script: string, name: string): ManagedProcess {
    this.starts += 1;
    const child = spawnNpmScript(script, { name, env: this.env, logFile: this.logFile(name) });
    this.all.push(child);
    return child;
  }

  private logFile(name: string): string {
    return path.join(this.options.logDir, `${name}.log`);
  }

  /** Everything a process of this stack has printed so far (its log file; the in-memory tail is short). */
  output(child: ManagedProcess): string {
    try {
      return readFileSync(this.logFile(child.name), 'utf8');
    } catch {
      return child.outputTail();
    }
  }

  /** `npm run start:temporal`; resolves once it prints where the server is. */
  async startTemporal(): Promise<ManagedProcess> {
    this.temporal = this.spawn('start:temporal', 'temporal');
    await this.temporal.waitForOutput(/Temporal dev server on/, 90_000);
    return this.temporal;
  }

  /** SIGKILL to the `temporal server start-dev` process itself (start:temporal then exits 1, as it should). */
  killDevServer(): void {
    if (!this.temporal) return;
    const server = pidMatching(descendantPids(this.temporal.pid), /temporal server start-dev/);
    process.kill(server, 'SIGKILL');
  }

  /** `npm run start:worker` as worker `index + 1` (a replacement when one is there already). */
  startWorker(index: number): ManagedProcess {
    const worker = this.spawn('start:worker', `worker-${index + 1}${this.workers[index] ? `-again-${this.starts}` : ''}`);
    this.workers[index] = worker;
    return worker;
  }

  /** SIGKILL to the worker's node process (what `kill -9 <pid>` of the worker does), not to npm. */
  killWorker(index: number): void {
    const worker = this.workers[index];
    if (!worker) return;
    try {
      process.kill(pidMatching(descendantPids(worker.pid), /node .*main-worker\.ts/), 'SIGKILL');
    } catch {
      worker.kill('SIGKILL');
    }
  }

  startApi(): ManagedProcess {
    this.api = this.spawn('start:api', 'api');
    return this.api;
  }

  /** pids to sample for CPU and memory: the node processes under each npm. */
  processes(): { name: string; pid: number | undefined }[] {
    return this.all.filter((child) => !child.hasExited()).map((child) => ({ name: child.name, pid: child.pid }));
  }

  /** SIGTERM to every npm (they forward it), the dev server last, then waits for the default ports to be free. */
  async stop(): Promise<void> {
    const last = this.temporal;
    await Promise.all(this.all.filter((child) => child !== last).map((child) => child.stop(20_000)));
    await last?.stop(20_000);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const taken = await Promise.all(Object.values(DEFAULT_PORTS).map(portTaken));
      if (!taken.some(Boolean)) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
