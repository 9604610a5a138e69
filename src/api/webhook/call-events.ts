import type { WorkflowClient } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { CallEvent, CallbackCallEvent, CallbackCallTag } from '../../contracts';
import { CALLBACK_WORKFLOW_TYPE, TRANSFER_WORKFLOW_TYPE, callEventSignal, callbackCallEventSignal, transferWorkflowId } from '../../contracts';
import type { Logger } from '../../observability/logger';
import { artifactToolCallIds } from '../../vapi/messages';

export type CallEventClient = Pick<WorkflowClient, 'getHandle' | 'list'>;

/**
 * Delivers Vapi's word on a call to every running workflow it concerns. Transfers of the call get the
 * `CallEvent` (when there is one: `in-progress` and `ringing` mean nothing to them), found twice over: by the
 * tool-call ids in the message's live artifact (exact, immediate) and by the `VapiCallId` search attribute
 * (catches transfers the artifact does not list; visibility may lag by a moment). Callbacks get every status of
 * the calls they placed, found by the tag the call carries (exact, immediate: Vapi may report a call before the
 * callback has heard its id) and by `VapiCallId`. `found` is false when nothing running is about this call.
 */
export async function deliverCallEvent(
  client: CallEventClient,
  options: {
    callId: string;
    event: CallEvent | null;
    callbackEvent: CallbackCallEvent;
    /** The callback the call was placed for, from its tag (`assistantOverrides.metadata`). */
    tag: CallbackCallTag | null;
    message: Parameters<typeof artifactToolCallIds>[0];
    transferToolNames: readonly string[];
    logger: Logger;
  },
): Promise<{ delivered: string[]; found: boolean }> {
  const { callId, event } = options;
  const transfers = new Set(event ? artifactToolCallIds(options.message, options.transferToolNames).map((toolCallId) => transferWorkflowId(callId, toolCallId)) : []);
  const callbacks = new Set(options.tag ? [options.tag.switchboardCallbackId] : []);
  let running = false;
  const query = `(WorkflowType = '${TRANSFER_WORKFLOW_TYPE}' OR WorkflowType = '${CALLBACK_WORKFLOW_TYPE}') AND ExecutionStatus = 'Running' AND VapiCallId = '${callId}'`;
  for await (const execution of client.list({ query, pageSize: 50 })) {
    running = true;
    if (execution.type === CALLBACK_WORKFLOW_TYPE) callbacks.add(execution.workflowId);
    else if (event) transfers.add(execution.workflowId);
  }

  const delivered: string[] = [];
  const deliver = async (workflowId: string, send: () => Promise<void>) => {
    try {
      await send();
      delivered.push(workflowId);
    } catch (error) {
      // Finished or never started: nothing left to tell.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  };
  await Promise.all([
    ...[...transfers].map((workflowId) => deliver(workflowId, () => client.getHandle(workflowId).signal(callEventSignal, event!))),
    ...[...callbacks].map((workflowId) => deliver(workflowId, () => client.getHandle(workflowId).signal(callbackCallEventSignal, options.callbackEvent))),
  ]);
  if (delivered.length > 0) options.logger.info({ callId, event: event?.kind ?? options.callbackEvent.status, workflows: delivered.length }, 'call event delivered');
  return { delivered, found: running || delivered.length > 0 };
}
