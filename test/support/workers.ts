import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../src/activities';
import { rosterOf } from '../../src/config/contact-center';
import type { Activities } from '../../src/contracts';
import { TemporalFloorClient } from '../../src/integrations/floor-client';
import { heartbeatAttemptRecorder } from '../../src/temporal/worker-runtime';
import type { Metrics } from '../../src/observability/metrics';
import { activitiesWith, alwaysOpenContactCenter } from './factories';
import type { SwitchboardWorkers } from '../../src/temporal/worker';
import { createWorkers } from '../../src/temporal/worker';
import { productionWorkerOptions, workflowBundle } from './temporal';

/** A process's two workers (transfers and the floor) on a test's own task queue, as production builds them. */
export async function testWorkers(
  env: TestWorkflowEnvironment,
  options: { taskQueue: string; activities: Activities; encryptedFailures?: boolean; dataConverter?: ReturnType<typeof productionWorkerOptions>['dataConverter']; metrics?: Metrics },
): Promise<SwitchboardWorkers> {
  const production = productionWorkerOptions(options.metrics);
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

/**
 * Real activities over the demo CRM (or the given dependencies) with the floor workflow on this task queue
 * and the production attempt recorder: what a worker process runs, on a test's own queues.
 */
export function floorBackedActivities(env: TestWorkflowEnvironment, taskQueue: string, overrides: Partial<ActivityDeps> = {}, client: Client = env.client) {
  const contactCenter = overrides.contactCenter ?? alwaysOpenContactCenter();
  return activitiesWith({
    floor: new TemporalFloorClient(client.workflow, taskQueue, () => rosterOf(contactCenter)),
    attempts: heartbeatAttemptRecorder(client),
    ...overrides,
    contactCenter,
  });
}

/** Starts a process's two workers on `taskQueue`; `stop()` shuts them down and waits. */
export async function startTestWorkers(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: Activities,
  options: { encryptedFailures?: boolean; dataConverter?: ReturnType<typeof productionWorkerOptions>['dataConverter']; metrics?: Metrics } = {},
) {
  const workers = await testWorkers(env, { taskQueue, activities, ...options });
  const running = workers.run();
  return {
    workers,
    stop: async () => {
      workers.shutdown();
      await running;
    },
  };
}
