import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { stdSerializers } from 'pino';
import type { Logger } from './logger';
import { WorkflowTaskFailureWatch } from './workflow-task-failures';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Routes the SDK's and the workflows' logs into the service's JSON log stream. */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(
    private readonly logger: Logger,
    /** Hears every line first, whatever the level; true: it said what the line would have (not logged again). */
    private readonly observer?: (level: LogLevel, message: string, meta?: LogMetadata) => boolean,
  ) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (this.observer?.(level, message, meta)) return;
    // The SDK passes errors as `error` (a failed workflow activation, an undecodable payload): serialised
    // as pino serialises `err`, so the line carries the message, not `{}`.
    const fields = Object.fromEntries(Object.entries(meta ?? {}).map(([key, value]) => [key, value instanceof Error ? stdSerializers.err(value) : value]));
    this.logger[LEVELS[level]](fields, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * Installs the Temporal runtime with the service logger; the SDK's own chatter (bundler output, state
 * changes) stays at warn unless LOG_LEVEL asks for debug. With `sdkMetricsPort` the SDK's worker metrics are
 * served on that loopback port (Switchboard's `/metrics` appends them). Must run before any Worker or
 * NativeConnection.
 */
export function installTemporalRuntime(
  logger: Logger,
  options: {
    sdkMetricsPort?: number;
    /** A worker of this process polls this task queue: report its failed workflow tasks (see WorkflowTaskFailureWatch). */
    workerTaskQueue?: string;
  } = {},
): { sdkMetricsUrl?: string; workflowTaskFailures?: WorkflowTaskFailureWatch } {
  const sdkLogger = logger.child({ component: 'temporal' }, { level: logger.levelVal <= 20 ? logger.level : 'warn' });
  const port = options.sdkMetricsPort;
  const watch = options.workerTaskQueue ? new WorkflowTaskFailureWatch({ taskQueue: options.workerTaskQueue, logger }) : undefined;
  Runtime.install({
    logger: new PinoTemporalLogger(sdkLogger, watch ? (level, message, meta) => watch.observe(level, message, meta) : undefined),
    // Each process stops through its own shutdown handler (src/process/shutdown.ts), which logs and drains in
    // order; the SDK's default signal handling would shut the worker down behind its back.
    shutdownSignals: [],
    telemetryOptions: {
      // The Rust core's own warnings (a failing workflow task, a lost connection) into the same JSON log lines,
      // instead of coloured text on stderr.
      logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} },
      ...(port ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}`, useSecondsForDurations: true } } } : {}),
    },
  });
  return { ...(port ? { sdkMetricsUrl: `http://127.0.0.1:${port}/metrics` } : {}), ...(watch ? { workflowTaskFailures: watch } : {}) };
}
