import type { ConnectionLike, WorkflowClient } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { TRANSFER_WORKFLOW_TYPE } from '../../contracts';
import type { TransferRequest } from '../../contracts';
import type { TransferCallWorkflow } from '../../contracts';
import { transferStartOptions } from '../../temporal/transfer-start';

/**
 * The part of the Temporal client the webhook needs; tests hand in a recording stub. With a connection the
 * start is bounded by a deadline; without one (stubs) it is not.
 */
export type WorkflowStarter = Pick<WorkflowClient, 'start'> & { readonly connection?: Pick<ConnectionLike, 'withDeadline'> };

export type StartOutcome = { workflowId: string; status: 'started' | 'already-handled' };

/**
 * Starts the transfer workflow for one tool call. The id is derived from the call and tool call, a running
 * duplicate is joined (USE_EXISTING) and a finished one is never run again (REJECT_DUPLICATE), so however
 * often Vapi delivers the same tool call, it transfers once.
 */
export async function startTransfer(
  client: WorkflowStarter,
  taskQueue: string,
  request: TransferRequest,
  { deadlineMs, eager = false }: { deadlineMs: number; eager?: boolean },
): Promise<StartOutcome> {
  const options = transferStartOptions(request, taskQueue, 'first', { eager });
  const workflowId = options.workflowId;
  // The client retries UNAVAILABLE with backoff inside this window (WEBHOOK_START_DEADLINE_MS), then 503.
  const deadline = Date.now() + deadlineMs;
  const bounded = <T>(fn: () => Promise<T>): Promise<T> => (client.connection ? client.connection.withDeadline(deadline, fn) : fn());
  try {
    await bounded(() => client.start<TransferCallWorkflow>(TRANSFER_WORKFLOW_TYPE, options));
    return { workflowId, status: 'started' };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, status: 'already-handled' };
    throw error;
  }
}
