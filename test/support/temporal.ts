import { randomUUID } from 'node:crypto';
import { DefaultLogger, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createMetrics } from '../../src/observability/metrics';
import type { Metrics } from '../../src/observability/metrics';
import { FAILURE_CONVERTER_PATH, createDataConverter } from '../../src/temporal/data-converter';
import { WORKFLOWS_PATH } from '../../src/temporal/worker';

let runtimeInstalled = false;

/** Quiet SDK logs; call before anything creates the runtime (each jest file has its own module registry). */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
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

let bundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundles `src/workflows` once per test file: each bundle costs seconds. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundlePromise ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, logger: new DefaultLogger('ERROR') });
  return bundlePromise;
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
