import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/paths';
import { SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTE_CLI_TYPES } from '../contracts';

/** Plain JavaScript, so it runs the same from the sources and from a compiled dist/ (see the file). */
const ORPHAN_GUARD = path.join(PROJECT_ROOT, 'src', 'process', 'orphan-guard.cjs');

export interface DevServerOptions {
  cliPath: string;
  ip?: string;
  port: number;
  /** Omit for a headless server (tests). */
  uiPort?: number;
  /** SQLite file; omit for an in-memory server. */
  dbFile?: string;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  extraArgs?: string[];
  startupTimeoutMs?: number;
  /**
   * Eager activity dispatch (default on): when a workflow task schedules activities, the server hands them
   * straight back to the worker that completed it instead of queueing them in matching. `npm run bench`
   * measured webhook-to-transfer at 2/s halving with it (see BENCHMARKS.md); the CLI leaves it off.
   */
  eagerActivities?: boolean;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  pid: number | undefined;
  /** Resolves with the exit code (null: killed by a signal) when the server process exits, for whatever reason. */
  exited: Promise<number | null>;
  /** Resolves when the process has exited. */
  stop(): Promise<void>;
}

/** Whether something accepts TCP connections on host:port (half a second to answer). */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export function devServerArgs(options: DevServerOptions): string[] {
  const ip = options.ip ?? '127.0.0.1';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port), '--log-level', options.logLevel ?? 'warn'];
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  if (options.dbFile) {
    // WAL keeps readers and the single writer from blocking each other; without these pragmas a file-backed
    // server is slow enough to time tests out (sdk-typescript PR #1572).
    args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  }
  args.push('--dynamic-config-value', `system.enableActivityEagerExecution=${options.eagerActivities ?? true}`);
  if (options.uiPort !== undefined) args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${SEARCH_ATTRIBUTE_CLI_TYPES[key.type]}`);
  args.push(...(options.extraArgs ?? []));
  return args;
}

/**
 * Starts `temporal server start-dev` and waits until its frontend accepts connections. Fails with the
 * server's own last words when it exits early (a taken port, an unreadable database file).
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  if (await canConnect(ip, options.port)) {
    throw new Error(
      `Port ${options.port} on ${ip} is already in use. Stop the other Temporal server, set DEV_SERVER_PORT to another port, ` +
        'or set TEMPORAL_ADDRESS to use the running server.',
    );
  }
  if (options.dbFile) mkdirSync(path.dirname(options.dbFile), { recursive: true });
  // Its own process group: Ctrl-C in the terminal reaches the process that started it, which stops its
  // users (the worker drains) before it stops the server. The guard makes sure it never outlives that process.
  const child: ChildProcess = spawn(options.cliPath, devServerArgs(options), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const guard = child.pid === undefined ? undefined : spawn(process.execPath, [ORPHAN_GUARD, String(child.pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  guard?.unref();
  // The pipe only has to stay open as long as this process lives; it must not keep the event loop alive.
  (guard?.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null | undefined)?.unref?.();
  guard?.stdin?.on('error', () => undefined);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  const exitPromise = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exited = true;
      guard?.stdin?.end();
      resolve(code);
    });
  });

  const deadline = Date.now() + (options.startupTimeoutMs ?? 30_000);
  while (!(await canConnect(ip, options.port))) {
    if (exited) throw new Error(`Temporal dev server exited during start-up:\n${output.trim()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Temporal dev server did not accept connections within ${options.startupTimeoutMs ?? 30_000} ms:\n${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    address: `${ip}:${options.port}`,
    uiUrl: options.uiPort !== undefined ? `http://${ip}:${options.uiPort}` : undefined,
    pid: child.pid,
    exited: exitPromise,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}
