import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../src/activities';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import type { Activities, AgentLiveState, CallEvent, StepRecord, TransferCallWorkflow, TransferRequest, TransferResult, TransferStatus } from '../../src/contracts';
import { TRANSFER_WORKFLOW_TYPE, callEventSignal, transferStatusQuery, transferWorkflowId } from '../../src/contracts';
import type { activitiesWith } from './factories';
import type { FloorClient } from '../../src/integrations/floor-client';
import { uniqueTaskQueue } from './temporal';
import { floorBackedActivities, testWorkers, whileRunning } from './workers';


export interface TransferRun {
  value: TransferResult | undefined;
  error: unknown;
  status: TransferStatus;
  handle: WorkflowHandle<TransferCallWorkflow>;
  deps: ReturnType<typeof activitiesWith>['deps'];
  /** Every agent's live state on the floor as the transfer ended. */
  agents: Record<string, AgentLiveState>;
}

/**
 * Runs one transfer to its end on a fresh worker and task queue, with real activities over the given
 * dependency overrides. `wrap` may replace single activities (e.g. to hold one); `beforeWorkerStarts` acts on
 * the started workflow before any worker has run it; `whileRunning` acts on the handle before the result is
 * awaited (e.g. to cancel).
 */
export async function runTransfer(
  env: TestWorkflowEnvironment,
  request: TransferRequest,
  options: {
    deps?: Partial<ActivityDeps>;
    wrap?: (activities: Activities) => Partial<Activities>;
    beforeWorkerStarts?: (handle: WorkflowHandle<TransferCallWorkflow>) => Promise<void>;
    whileRunning?: (handle: WorkflowHandle<TransferCallWorkflow>) => Promise<void>;
    /** Plays Vapi: signals these call events once the workflow waits for the transfer's outcome. */
    vapiReports?: CallEvent[];
    /** Prepares the floor (busy agents, callers already waiting) before the transfer starts; workers already run. */
    prepareFloor?: (floor: FloorClient) => Promise<void>;
  } = {},
): Promise<TransferRun> {
  const taskQueue = uniqueTaskQueue('transfer');
  // The real floor workflow on this test's own task queues, unless the test brings its own floor.
  const { deps, activities } = floorBackedActivities(env, taskQueue, options.deps);
  const workers = await testWorkers(env, { taskQueue, activities: { ...activities, ...options.wrap?.(activities) } });
  const start = () =>
    env.client.workflow.start<TransferCallWorkflow>(TRANSFER_WORKFLOW_TYPE, {
      workflowId: transferWorkflowId(request.callId, request.toolCallId),
      taskQueue,
      args: [request],
    });
  let handle = options.prepareFloor ? undefined : await start();
  if (handle) await options.beforeWorkerStarts?.(handle);
  const run = await whileRunning(workers, async () => {
    if (options.prepareFloor) {
      await options.prepareFloor(deps.floor);
      handle = await start();
    }
    await options.whileRunning?.(handle!);
    if (options.vapiReports) {
      await waitForStage(handle!, 'awaiting-outcome');
      for (const event of options.vapiReports) await handle!.signal(callEventSignal, event);
    }
    const settled = await handle!.result().then(
      (value) => ({ value, error: undefined as unknown }),
      (error: unknown) => ({ value: undefined, error }),
    );
    // Read the floor while the workers still poll: after they stop nobody answers its queries. Signals the
    // transfer sent last (release, connected) are applied before a query that follows them is answered.
    const { agents } = await deps.floor.liveStates();
    return { ...settled, status: await handle!.query(transferStatusQuery), handle: handle!, agents };
  });
  return { ...run, deps };
}

/** How many transfers an agent holds (reserved or on a call) as the transfer ended. */
export function activeTransfers(run: Pick<TransferRun, 'agents'>, agentId: string): number {
  return run.agents[agentId]?.activeTransfers ?? 0;
}

/** Resolves once the workflow has started the named step (or, given a status, once that step has reached it). */
export async function waitForStep(handle: WorkflowHandle<TransferCallWorkflow>, step: string, stepStatus?: StepRecord['status']): Promise<void> {
  const reached = (record: StepRecord) => record.name === step && (stepStatus === undefined || record.status === stepStatus);
  while (!(await handle.query(transferStatusQuery)).steps.some(reached)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once the workflow has reached the stage (or finished). */
export async function waitForStage(handle: WorkflowHandle<TransferCallWorkflow>, stage: TransferStatus['stage']): Promise<void> {
  for (;;) {
    const status = await handle.query(transferStatusQuery);
    if (status.stage === stage || status.outcome !== null) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Keeps the controlUrl answering 503 and runs `act` (signal a hang-up, cancel, ...) once the first transfer
 * attempt has been refused: the workflow is then backing off between attempts, the point after routing and
 * the summary where compensations have something to undo and nothing has reached Vapi.
 */
export function whileTheControlUrlIsDown(
  control: FakeControlServer,
  act: (handle: WorkflowHandle<TransferCallWorkflow>) => Promise<unknown>,
): { whileRunning: (handle: WorkflowHandle<TransferCallWorkflow>) => Promise<void> } {
  control.respondWith(() => ({ status: 503 }));
  return {
    whileRunning: async (handle) => {
      await waitForStep(handle, 'executeTransfer', 'failed');
      await act(handle);
    },
  };
}
