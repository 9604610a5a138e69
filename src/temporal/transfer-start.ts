import type { WorkflowStartOptions } from '@temporalio/client';
import { TRANSFER_RUN_TIMEOUT, TransferStageAttribute, VapiCallId, transferSummary, transferWorkflowId } from '../contracts';
import type { TransferRequest } from '../contracts';
import type { TransferCallWorkflow } from '../contracts';

/**
 * How every run of `transferCall` is started: by the webhook, by a transfer-destination-request, or by an
 * operator's retry. One id per tool call. A first start joins a running duplicate (USE_EXISTING) and never
 * runs a finished one again (REJECT_DUPLICATE), so however often Vapi delivers a tool call it transfers once;
 * a retry is a new run of a closed transfer, and two retries never run at once (FAIL).
 */
export function transferStartOptions(request: TransferRequest, taskQueue: string, run: 'first' | 'retry' = 'first', options: { eager?: boolean } = {}) {
  return {
    workflowId: transferWorkflowId(request.callId, request.toolCallId),
    taskQueue,
    args: [request] as [TransferRequest],
    typedSearchAttributes: [
      { key: VapiCallId, value: request.callId },
      { key: TransferStageAttribute, value: 'routing' },
    ],
    staticSummary: run === 'retry' ? `${transferSummary(request)} (retry)` : transferSummary(request),
    // A backstop, never the plan: a transfer ends in minutes, and one stuck for hours (a bug, a lost worker pool)
    // is stopped; what it holds on the floor ends by its own TTL.
    workflowRunTimeout: TRANSFER_RUN_TIMEOUT,
    workflowIdConflictPolicy: run === 'retry' ? ('FAIL' as const) : ('USE_EXISTING' as const),
    workflowIdReusePolicy: run === 'retry' ? ('ALLOW_DUPLICATE' as const) : ('REJECT_DUPLICATE' as const),
    // Eager start: the server hands the first workflow task back in the start's answer, to the worker sharing
    // the client's connection, instead of through its task queue. Only for a client built on a worker's
    // NativeConnection (npm start); any other client must not ask.
    ...(options.eager ? { requestEagerStart: true } : {}),
  } satisfies WorkflowStartOptions<TransferCallWorkflow>;
}
