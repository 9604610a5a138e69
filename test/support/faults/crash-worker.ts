import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

export interface CrashableWorker {
  process: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * `start:worker` as its own process on `taskQueue` for the crash-point tests, with `env` on top of this
 * process's environment; with `crashAt`, the crash-at fault is preloaded and kills it at that point (see
 * crash-at.ts). Resolves once it polls; every process started is pushed to `processes` for the test to kill.
 */
export function startCrashableWorker(taskQueue: string, options: { env: Record<string, string>; crashAt?: string; processes: ChildProcess[] }): Promise<CrashableWorker> {
  const args = ['--import', 'tsx', ...(options.crashAt ? ['--import', path.join(ROOT, 'test/support/faults/crash-at.mjs')] : []), path.join(ROOT, 'src/temporal/main-worker.ts')];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_TASK_QUEUE: taskQueue,
      METRICS_PORT: '0',
      CONTROL_URL_ALLOWED_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...options.env,
      ...(options.crashAt ? { SWITCHBOARD_TEST_CRASH_AT: options.crashAt } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.processes.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('worker polling')) resolve({ process: child, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`worker exited early with ${code}: ${buffered.slice(-2_000)}`)));
  });
}
