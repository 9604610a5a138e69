import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities, ActivityDeps } from '../../src/activities';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import type { CallEvent, StepRecord, TransferRequest, TransferResult, TransferStatus } from '../../src/contracts';
import { TRANSFER_WORKFLOW_TYPE, callEventSignal, transferStatusQuery, transferWorkflowId } from '../../src/contracts';
import type { transferCall } from '../../src/workflows';
import { TemporalAgentDirectory } from '../../src/integrations/agent-directory';
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
    beforeWorkerStarts?: (handle: WorkflowHandle<typeof transferCall>) => Promise<void>;
    whileRunning?: (handle: WorkflowHandle<typeof transferCall>) => Promise<void>;
    /** Plays Vapi: signals these call events once the workflow waits for the transfer's outcome. */
    vapiReports?: CallEvent[];
  } = {},
): Promise<TransferRun> {
  const taskQueue = uniqueTaskQueue('transfer');
  // The real agents' workflows on this test's own task queue, unless the test brings its own directory.
  const { deps, activities } = activitiesWith({
    agents: new TemporalAgentDirectory(env.client.workflow, taskQueue),
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
  const handle = await env.client.workflow.start<typeof transferCall>(TRANSFER_WORKFLOW_TYPE, {
    workflowId: transferWorkflowId(request.callId, request.toolCallId),
    taskQueue,
    args: [request],
  });
  await options.beforeWorkerStarts?.(handle);
  const run = await worker.runUntil(async () => {
    await options.whileRunning?.(handle);
    if (options.vapiReports) {
      await waitForStage(handle, 'awaiting-outcome');
      for (const event of options.vapiReports) await handle.signal(callEventSignal, event);
    }
    const settled = await handle.result().then(
      (value) => ({ value, error: undefined as unknown }),
      (error: unknown) => ({ value: undefined, error }),
    );
    // Read the agents while the worker still polls: after runUntil nobody answers their queries.
    const agents = await deps.agents.liveStates(
      deps.contactCenter.agents.map((agent) => agent.id),
      { fresh: true },
    );
    return { ...settled, status: await handle.query(transferStatusQuery), handle, agents };
  });
  const { agents, ...rest } = run;
  return { ...rest, deps: { ...deps, agents: { ...deps.agents, liveStates: async () => agents } } };
}

/** How many transfers an agent holds right now (as read when the transfer ended). */
export async function activeTransfers(deps: TransferRun['deps'], agentId: string): Promise<number> {
  const live = await deps.agents.liveStates([agentId]);
  return live[agentId]?.activeTransfers ?? 0;
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
 * Keeps the controlUrl answering 503 and runs `act` (signal a hang-up, cancel, ...) once the first transfer
 * attempt has been refused: the workflow is then backing off between attempts, the point after routing and
 * the summary where compensations have something to undo and nothing has reached Vapi.
 */
export function whileTheControlUrlIsDown(
  control: FakeControlServer,
  act: (handle: WorkflowHandle<typeof transferCall>) => Promise<unknown>,
): { whileRunning: (handle: WorkflowHandle<typeof transferCall>) => Promise<void> } {
  control.respondWith(() => ({ status: 503 }));
  return {
    whileRunning: async (handle) => {
      await waitForStep(handle, 'executeTransfer', 'failed');
      await act(handle);
    },
  };
}
