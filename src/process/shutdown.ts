import type { Logger } from '../observability/logger';

export interface ShutdownOptions {
  logger: Logger;
  /** Stops everything in order (stop taking work, drain, close); resolves when it is all down. */
  stop: () => Promise<void>;
  /** After this long the process exits 1 even if `stop` has not finished (a hung drain must not keep it alive). */
  hardTimeoutMs: number;
  /** Watch the parent process (default: when started by an npm script); see {@link watchesParent}. */
  watchParent?: boolean;
  /** How often the parent is checked. */
  parentPollMs?: number;
}

export interface Shutdown {
  /** Starts the shutdown for `reason` (idempotent); the process exits when it is done. */
  begin(reason: string): void;
  readonly stopping: boolean;
}

/**
 * `npm run …` puts npm (and, without `exec`, a shell) between the terminal and this process. When npm is
 * killed, or the shell it started dies on npm's SIGTERM without passing it on, this process is re-parented
 * and would run on unseen, holding its ports and its dev server. Outside npm (systemd, a container's PID 1,
 * `nohup node …`) the parent is left alone: there a changed parent is not a request to stop.
 */
export function watchesParent(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.npm_lifecycle_event);
}

/**
 * One way to stop, however the process is asked: SIGINT (Ctrl-C), SIGTERM (a process manager, `kill`), or
 * its launcher going away. Logs when the shutdown starts and when it has finished, then exits (0 unless
 * `process.exitCode` says otherwise). Repeated
 * signals are ignored: Ctrl-C reaches this process twice (from the terminal and forwarded by npm).
 */
export function handleShutdown(options: ShutdownOptions): Shutdown {
  const { logger } = options;
  let stopping = false;
  const begin = (reason: string) => {
    if (stopping) return;
    stopping = true;
    const startedAt = Date.now();
    logger.info({ reason }, 'shutdown started');
    const hardStop = setTimeout(() => {
      logger.error({ reason, afterMs: Date.now() - startedAt }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, options.hardTimeoutMs);
    hardStop.unref();
    options.stop().then(
      () => {
        logger.info({ reason, tookMs: Date.now() - startedAt }, 'shutdown finished');
        process.exit(process.exitCode ?? 0);
      },
      (error: unknown) => {
        logger.error({ reason, err: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // Not SIGHUP: a listener would override `nohup`, which starts the process with SIGHUP ignored.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => begin(signal));

  if (options.watchParent ?? watchesParent()) {
    const parent = process.ppid;
    const timer = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(timer);
        begin(`parent process ${parent} exited`);
      }
    }, options.parentPollMs ?? 500);
    timer.unref();
  }
  return {
    begin,
    get stopping() {
      return stopping;
    },
  };
}
