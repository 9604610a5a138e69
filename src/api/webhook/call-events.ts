import type { WorkflowClient } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { CallEvent } from '../../contracts';
import { TRANSFER_WORKFLOW_TYPE, callEventSignal, transferWorkflowId } from '../../contracts';
import type { Logger } from '../../observability/logger';
import { artifactToolCallIds } from '../../vapi/messages';

export type CallEventClient = Pick<WorkflowClient, 'getHandle' | 'list'>;

/**
 * Delivers a call event to every running transfer workflow of the call. The workflows are found twice
 * over: by the tool-call ids in the message's live artifact (exact, immediate) and by the `VapiCallId`
 * search attribute (catches transfers the artifact does not list; visibility may lag by a moment).
 */
export async function deliverCallEvent(
  client: CallEventClient,
  options: {
    callId: string;
    event: CallEvent;
    message: Parameters<typeof artifactToolCallIds>[0];
    transferToolNames: readonly string[];
    logger: Logger;
  },
): Promise<{ delivered: string[] }> {
  const { callId, event } = options;
  const ids = new Set(artifactToolCallIds(options.message, options.transferToolNames).map((toolCallId) => transferWorkflowId(callId, toolCallId)));
  const query = `WorkflowType = '${TRANSFER_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND VapiCallId = '${callId}'`;
  for await (const execution of client.list({ query, pageSize: 50 })) ids.add(execution.workflowId);

  const delivered: string[] = [];
  await Promise.all(
    [...ids].map(async (workflowId) => {
      try {
        await client.getHandle(workflowId).signal(callEventSignal, event);
        delivered.push(workflowId);
      } catch (error) {
        // Finished or never started: nothing left to tell.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }),
  );
  if (delivered.length > 0) options.logger.info({ callId, event: event.kind, workflows: delivered.length }, 'call event delivered');
  return { delivered };
}
