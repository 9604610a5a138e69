import { randomUUID } from 'node:crypto';
import { DefaultLogger, Runtime, bundleWorkflowCode, makeTelemetryFilterString } from '@temporalio/worker';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createMetrics } from '../../src/observability/metrics';
import type { Metrics } from '../../src/observability/metrics';
import { createDataConverter, failureConverterPathFor } from '../../src/temporal/data-converter';
import { WORKFLOWS_PATH } from '../../src/temporal/worker';

let runtimeInstalled = false;

/**
 * What the SDK logged in this test file, kept here instead of printed: tests
 * provoke failing workflow tasks, lost activities and undecodable payloads on purpose, and a passing run must
 * not read like a broken one. Inspect it (or assert on it) when a test needs to.
 */
export const sdkLogs: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];

/** Quiet SDK logs; call before anything creates the runtime (each jest file has its own module registry). */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => void sdkLogs.push({ level: entry.level, message: entry.message, ...(entry.meta ? { meta: entry.meta } : {}) })),
      // The Rust core prints to the terminal itself; only its errors. (Forwarding them to the logger above would
      // hold the event loop open through a native callback until the runtime shuts down, and a jest worker whose
      // file leaves a connection open could not exit.)
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }) } },
    });
  } catch {
    // Already installed in this file's registry.
  }
  runtimeInstalled = true;
}

/** The shared dev server started by global setup (or the one named by TEMPORAL_ADDRESS). */
export async function connectTestEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run the tests with `npm test`, whose global setup starts a dev server');
  return TestWorkflowEnvironment.createFromExistingServer({ address });
}

const bundles = new Map<boolean, Promise<WorkflowBundleWithSourceMap>>();

/**
 * Bundles `src/workflows` once per test file: each bundle costs seconds. Workers whose data converter has the
 * encryption codec need the bundle whose failure converter encrypts too (`encryptedFailures`), as in production.
 */
export function workflowBundle(options: { encryptedFailures?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  const encrypted = options.encryptedFailures ?? false;
  let bundle = bundles.get(encrypted);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: failureConverterPathFor(encrypted), logger: new DefaultLogger('ERROR') });
    bundles.set(encrypted, bundle);
  }
  return bundle;
}

/** A task queue nobody else polls, so tests never pick up each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

/**
 * What every production worker gets besides its activities: the shared data converter and the metrics
 * sinks (a worker without them logs an error for each sink call).
 */
export function productionWorkerOptions(metrics: Metrics = createMetrics({ departments: [], defaultMetrics: false })) {
  return { dataConverter: createDataConverter(), sinks: metrics.sinks() };
}
