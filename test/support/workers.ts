import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../src/contracts';
import type { SwitchboardWorkers } from '../../src/temporal/worker';
import { createWorkers } from '../../src/temporal/worker';
import { productionWorkerOptions, workflowBundle } from './temporal';

/** A process's two workers (transfers and the floor) on a test's own task queue, as production builds them. */
export async function testWorkers(
  env: TestWorkflowEnvironment,
  options: { taskQueue: string; activities: Activities; encryptedFailures?: boolean; dataConverter?: ReturnType<typeof productionWorkerOptions>['dataConverter'] },
): Promise<SwitchboardWorkers> {
  const production = productionWorkerOptions();
  return createWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: options.taskQueue,
    activities: options.activities,
    workflowBundle: await workflowBundle({ encryptedFailures: options.encryptedFailures ?? false }),
    dataConverter: options.dataConverter ?? production.dataConverter,
    sinks: production.sinks,
  });
}

/** Runs `fn` while the workers poll, then stops them and waits until they have. */
export async function whileRunning<T>(workers: SwitchboardWorkers, fn: () => Promise<T>): Promise<T> {
  const running = workers.run();
  try {
    return await fn();
  } finally {
    workers.shutdown();
    await running;
  }
}
