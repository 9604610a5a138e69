import type { DataConverter } from '@temporalio/common';
import type { InjectedSinks, NativeConnection, WorkerOptions } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { TransferSinks } from '../contracts';
import { createDataConverter } from './data-converter';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A prebuilt bundle; without it the worker bundles `src/workflows` at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Must match the clients' (same codec), see data-converter.ts. */
  dataConverter?: DataConverter;
  /** Where workflows report metrics (outside history, skipped on replay). */
  sinks?: InjectedSinks<TransferSinks>;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** The transfer worker: every workflow in `src/workflows` and the given activities on one task queue. */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    dataConverter: options.dataConverter ?? createDataConverter(),
    ...(options.sinks ? { sinks: options.sinks } : {}),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    shutdownGraceTime: options.shutdownGraceTime ?? '10s',
  });
}
