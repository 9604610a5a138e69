import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities, ActivityDeps } from '../../src/activities';
import type { CallEvent, StepRecord, TransferRequest, TransferResult, TransferStatus } from '../../src/contracts';
import { TRANSFER_WORKFLOW_TYPE, callEventSignal, transferStatusQuery, transferWorkflowId } from '../../src/contracts';
import type { transferCall } from '../../src/workflows';
import { TemporalAgentPool } from '../../src/integrations/agent-pool-client';
import { activitiesWith, alwaysOpenContactCenter } from './factories';
import { productionWorkerOptions, uniqueTaskQueue, workflowBundle } from './temporal';

export interface TransferRun {
  value: TransferResult | undefined;
  error: unknown;
  status: TransferStatus;
  handle: WorkflowHandle<typeof transferCall>;
  deps: ReturnType<typeof activitiesWith>['deps'];
}

/**
 * Runs one transfer to its end on a fresh worker and task queue, with real activities over the given
 * dependency overrides. `wrap` may replace single activities (e.g. to hold one); `whileRunning` acts on the
 * handle before the result is awaited (e.g. to cancel).
 */
export async function runTransfer(
  env: TestWorkflowEnvironment,
  request: TransferRequest,
  options: {
    deps?: Partial<ActivityDeps>;
    wrap?: (activities: Activities) => Partial<Activities>;
    whileRunning?: (handle: WorkflowHandle<typeof transferCall>) => Promise<void>;
    /** Plays Vapi: signals these call events once the workflow waits for the transfer's outcome. */
    vapiReports?: CallEvent[];
  } = {},
): Promise<TransferRun> {
  const taskQueue = uniqueTaskQueue('transfer');
  // The real agent-pool workflow on this test's own task queue, unless the test brings its own pool.
  const { deps, activities } = activitiesWith({
    agentPool: new TemporalAgentPool(env.client.workflow, taskQueue),
    contactCenter: alwaysOpenContactCenter(),
    ...options.deps,
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    ...productionWorkerOptions(),
    activities: { ...activities, ...options.wrap?.(activities) },
  });
  const run = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof transferCall>(TRANSFER_WORKFLOW_TYPE, {
      workflowId: transferWorkflowId(request.callId, request.toolCallId),
      taskQueue,
      args: [request],
    });
    await options.whileRunning?.(handle);
    if (options.vapiReports) {
      await waitForStage(handle, 'awaiting-outcome');
      for (const event of options.vapiReports) await handle.signal(callEventSignal, event);
    }
    const settled = await handle.result().then(
      (value) => ({ value, error: undefined as unknown }),
      (error: unknown) => ({ value: undefined, error }),
    );
    // Read the pool while the worker still polls: after runUntil nobody answers its queries.
    const pool = await deps.agentPool.snapshot();
    return { ...settled, status: await handle.query(transferStatusQuery), handle, pool };
  });
  const { pool, ...rest } = run;
  return { ...rest, deps: { ...deps, agentPool: { ...deps.agentPool, snapshot: async () => pool } } };
}

/** How many transfers the agent pool holds for an agent right now. */
export async function activeTransfers(deps: TransferRun['deps'], agentId: string): Promise<number> {
  const snapshot = await deps.agentPool.snapshot();
  return snapshot.agents[agentId]?.reservations.length ?? 0;
}

/** Resolves once the workflow has started the named step (or, given a status, once that step has reached it). */
export async function waitForStep(handle: WorkflowHandle<typeof transferCall>, step: string, stepStatus?: StepRecord['status']): Promise<void> {
  const reached = (record: StepRecord) => record.name === step && (stepStatus === undefined || record.status === stepStatus);
  while (!(await handle.query(transferStatusQuery)).steps.some(reached)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once the workflow has reached the stage (or finished). */
export async function waitForStage(handle: WorkflowHandle<typeof transferCall>, stage: TransferStatus['stage']): Promise<void> {
  for (;;) {
    const status = await handle.query(transferStatusQuery);
    if (status.stage === stage || status.outcome !== null) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Holds the workflow while it posts the summary, runs `act` there (signal a hang-up, cancel, ...), then lets
 * it go on: the point between routing and the transfer where compensations have something to undo.
 */
export function whilePostingSummary(
  act: (handle: WorkflowHandle<typeof transferCall>) => Promise<unknown>,
): { wrap: (activities: Activities) => Partial<Activities>; whileRunning: (handle: WorkflowHandle<typeof transferCall>) => Promise<void> } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    wrap: (activities) => ({
      postSummary: async (...args: Parameters<Activities['postSummary']>) => {
        await gate;
        return activities.postSummary(...args);
      },
    }),
    whileRunning: async (handle) => {
      await waitForStep(handle, 'postSummary');
      await act(handle);
      release();
    },
  };
}
