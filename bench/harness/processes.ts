import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../src/config/paths';

/** A child process the harness started, measured through its own pid and killed by that pid only. */
export interface ManagedProcess {
  name: string;
  pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  hasExited(): boolean;
  /** The last few KB of its output, for error messages. */
  outputTail(): string;
  /** Resolves when a line of output matches; rejects on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  /** Extra environment on top of this process's own. */
  env?: Record<string, string | undefined>;
  /** Where its stdout and stderr go (appended); also kept in memory for {@link ManagedProcess.outputTail}. */
  logFile?: string;
  /** Command-line arguments after the entry point. */
  args?: string[];
  /** Node's own flags (e.g. --cpu-prof), before the entry point. */
  nodeArgs?: string[];
  /** TypeScript modules imported before the entry point (fault injection), after tsx is in place. */
  preloads?: string[];
  /** Its own process group (pid = group id), so a test can send Ctrl-C's SIGINT to the whole group. */
  detached?: boolean;
  /** Working directory, and the root entry points are resolved against (default: this checkout). */
  cwd?: string;
}

/**
 * Runs a TypeScript entry point as `node --import tsx <entry>`: one OS process (no npm or npx wrapper in
 * between), so the pid we hold is the one whose CPU and memory we read and the one a SIGKILL really kills.
 */
export function spawnTypeScript(entry: string, options: SpawnOptions): ManagedProcess {
  const root = options.cwd ?? PROJECT_ROOT;
  const preloads = (options.preloads ?? []).flatMap((file) => ['--import', pathToFileURL(path.resolve(root, file)).href]);
  return spawnProcess(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', ...preloads, path.resolve(root, entry), ...(options.args ?? [])],
    options,
  );
}

/** Runs compiled JavaScript with plain node, as the container image does (no tsx, no source-map rewriting). */
export function spawnJavaScript(file: string, options: SpawnOptions): ManagedProcess {
  return spawnProcess(process.execPath, [...(options.nodeArgs ?? []), file, ...(options.args ?? [])], options);
}

export function spawnProcess(command: string, args: string[], options: SpawnOptions): ManagedProcess {
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
  let log: WriteStream | undefined;
  if (options.logFile) {
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    log = createWriteStream(options.logFile, { flags: 'a' });
  }
  let tail = '';
  let pending = '';
  const lineListeners = new Set<(line: string) => void>();
  const onData = (chunk: Buffer) => {
    log?.write(chunk);
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-8_000);
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) lineListeners.forEach((listener) => listener(line));
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exitedFlag = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitedFlag = true;
      log?.end();
      resolve(code);
    });
  });

  const handle: ManagedProcess = {
    name: options.name,
    pid: child.pid,
    exited,
    hasExited: () => exitedFlag,
    outputTail: () => tail,
    waitForOutput(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const found = tail.split('\n').find((line) => pattern.test(line));
        if (found) {
          resolve(found);
          return;
        }
        const listener = (line: string) => {
          if (!pattern.test(line)) return;
          cleanup();
          resolve(line);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${options.name} did not print ${pattern} within ${timeoutMs} ms:\n${tail.slice(-2_000)}`));
        }, timeoutMs);
        void exited.then((code) => {
          cleanup();
          reject(new Error(`${options.name} exited (${code}) before printing ${pattern}:\n${tail.slice(-2_000)}`));
        });
        const cleanup = () => {
          clearTimeout(timer);
          lineListeners.delete(listener);
        };
        lineListeners.add(listener);
      });
    },
    kill(signal) {
      if (!exitedFlag) child.kill(signal);
    },
    async stop(graceMs = 15_000) {
      if (exitedFlag) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return handle;
}

/** `npm run <script>` as an operator types it: npm, then the script's own process (pid of npm held). */
export function spawnNpmScript(script: string, options: SpawnOptions): ManagedProcess {
  return spawnProcess('npm', ['run', '--silent', script, ...(options.args?.length ? ['--', ...options.args] : [])], options);
}

/** Every process below `pid` (children, grandchildren…), from `ps`: what an npm script really started. */
export function descendantPids(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of rows) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** The first of `pids` whose command line matches `pattern`. */
export function pidMatching(pids: number[], pattern: RegExp): number {
  for (const pid of pids) {
    try {
      if (pattern.test(execFileSync('ps', ['-o', 'cmd=', '-p', String(pid)], { encoding: 'utf8' }))) return pid;
    } catch {
      // gone
    }
  }
  throw new Error(`no process matching ${pattern} among ${pids.join(', ')}`);
}

/** Polls `url` until it answers 2xx (a process's health or readiness endpoint). */
export async function waitForHttpOk(url: string, options: { timeoutMs?: number; process?: ManagedProcess } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (options.process?.hasExited()) {
      throw new Error(`${options.process.name} exited while waiting for ${url}:\n${options.process.outputTail().slice(-2_000)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status} ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} was not ready within ${options.timeoutMs ?? 60_000} ms (last: ${last})`);
}
