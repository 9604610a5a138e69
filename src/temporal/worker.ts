import type { DataConverter } from '@temporalio/common';
import type { InjectedSinks, NativeConnection, State, WorkerOptions } from '@temporalio/worker';
import { Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { Activities, SwitchboardSinks } from '../contracts';
import { floorTaskQueue } from '../contracts';
import { createDataConverter, failureConverterPathFor } from './data-converter';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The transfers' task queue; the floor's is derived from it. */
  taskQueue: string;
  activities: Activities;
  /** A prebuilt bundle; without it the workflows are bundled once here, for both workers. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Must match the clients' (same codec), see data-converter.ts. */
  dataConverter?: DataConverter;
  /** Encryption is on: the bundle built here seals failure messages too (see failureConverterPathFor). */
  encryptedFailures?: boolean;
  /** Where workflows report metrics (outside history, skipped on replay). */
  sinks?: InjectedSinks<SwitchboardSinks>;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The floor is one workflow that every transfer's reservation waits on: it gets a worker of its own, on its
 * own task queue, with its own slots. Transfers in their first workflow task (each waiting on a reservation)
 * can then never take the slot the floor needs to answer them.
 */
const FLOOR_WORKER_TUNING = {
  maxConcurrentWorkflowTaskExecutions: 2,
  maxConcurrentActivityTaskExecutions: 1,
  maxConcurrentLocalActivityExecutions: 1,
  // A floor whose worker died waits this long on the dead worker's sticky queue before another worker takes
  // it (10 s by default): every reservation waits on the floor, so it should be back within a second.
  stickyQueueScheduleToStartTimeout: '1s',
} as const;

/**
 * A transfer whose worker died mid-POST learns it from the POST's heartbeat (2 s), then its next workflow task
 * waits on the dead worker's sticky queue (10 s by default) before another worker runs it and asks the caller
 * to hold: chaos (k) measured ~13 s of silence. A transfer's history is a few dozen events, cheap to replay on
 * whichever worker takes it, so its sticky queue is given up after 2 s.
 */
const TRANSFER_WORKER_TUNING = {
  stickyQueueScheduleToStartTimeout: '2s',
} as const;

/** The two workers of a Switchboard process, started, stopped and watched as one. */
export class SwitchboardWorkers {
  constructor(
    readonly transfers: Worker,
    readonly floor: Worker,
  ) {}

  /** Runs both until both stop; if one fails, the other is stopped too and the failure is thrown. */
  async run(): Promise<void> {
    const runs = [this.transfers.run(), this.floor.run()];
    try {
      await Promise.all(runs.map((run) => run.catch((error: unknown) => {
        this.shutdown();
        throw error;
      })));
    } finally {
      await Promise.allSettled(runs);
    }
  }

  shutdown(): void {
    for (const worker of [this.transfers, this.floor]) if (worker.getState() === 'RUNNING') worker.shutdown();
  }

  getState(): State {
    return this.transfers.getState();
  }
}

/** The transfer worker (transfers and their activities) and the floor worker, from one bundle. */
export async function createWorkers(options: CreateWorkerOptions): Promise<SwitchboardWorkers> {
  const dataConverter = options.dataConverter ?? createDataConverter();
  const workflowBundle =
    options.workflowBundle ??
    (await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      failureConverterPath: failureConverterPathFor(options.encryptedFailures ?? false),
      logger: Runtime.instance().logger,
    }).then(({ code }) => ({ code })));
  const shared = {
    connection: options.connection,
    namespace: options.namespace,
    dataConverter,
    workflowBundle,
    ...(options.sinks ? { sinks: options.sinks } : {}),
    shutdownGraceTime: options.shutdownGraceTime ?? '10s',
  };
  const [transfers, floor] = await Promise.all([
    Worker.create({ ...shared, taskQueue: options.taskQueue, activities: options.activities, ...TRANSFER_WORKER_TUNING }),
    Worker.create({ ...shared, taskQueue: floorTaskQueue(options.taskQueue), ...FLOOR_WORKER_TUNING }),
  ]);
  return new SwitchboardWorkers(transfers, floor);
}
