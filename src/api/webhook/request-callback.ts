import type { WorkflowClient } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { CallbackAnswer, CallbackAsk } from '../../contracts';
import { TRANSFER_WORKFLOW_TYPE, callbackWorkflowId, requestCallbackUpdate } from '../../contracts';
import type { Logger } from '../../observability/logger';

export type CallbackRequestClient = Pick<WorkflowClient, 'getHandle' | 'list'>;

/** What the assistant hears when the caller is not waiting in a line: there is no place to keep. */
export const NO_WAITING_TRANSFER_RESULT =
  'The caller is not waiting in line on this call, so there is no place to keep for a call back. If they want a person, transfer them; otherwise keep helping them.';

/** What the assistant hears when the promise could not be confirmed in time (it may still be made: asking again finds it). */
export const CALLBACK_PENDING_RESULT = 'The call back is still being arranged: tell the caller it is being set up and ask again in a moment.';

/** Visibility may trail a transfer that just began to wait: it is looked for this long. */
const LOOK_FOR_MS = 1_500;
const LOOK_EVERY_MS = 250;

/**
 * The `request_callback` tool: the call's waiting transfer is asked for a callback (the `requestCallback`
 * update), and its answer is what the assistant says. A call that has a callback already gets that promise
 * again, so nothing is promised twice; a call with no waiting transfer gets a sentence saying so. The update
 * carries the tool call id, so a redelivered tool call gets the same answer.
 */
export async function answerCallbackRequest(
  client: CallbackRequestClient,
  options: { callId: string; toolCallId: string; ask: CallbackAsk; deadlineMs: number; logger: Logger },
): Promise<string> {
  const { callId } = options;
  const promised = await promiseOf(client, callId);
  if (promised) return promised;
  const transferId = await waitingTransfer(client, callId);
  if (!transferId) return NO_WAITING_TRANSFER_RESULT;
  const update = client.getHandle(transferId).executeUpdate(requestCallbackUpdate, { args: [options.ask], updateId: `request-callback:${options.toolCallId}` });
  let timer: NodeJS.Timeout | undefined;
  // Past the deadline the workflow still answers, and keeps its answer: asking again gets it.
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), options.deadlineMs)));
  try {
    const answer: CallbackAnswer | null = await Promise.race([update, late]);
    if (!answer) {
      update.catch(() => undefined);
      return CALLBACK_PENDING_RESULT;
    }
    options.logger.info({ callId, workflowId: transferId, promised: answer.promised }, 'callback requested');
    return answer.message;
  } catch (error) {
    // The transfer ended meanwhile (it promised one a moment ago, or the caller was put through).
    if (error instanceof WorkflowNotFoundError || error instanceof WorkflowUpdateFailedError) return (await promiseOf(client, callId)) ?? NO_WAITING_TRANSFER_RESULT;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The promise the call's callback was made with (its memo), or null when the call has none. */
async function promiseOf(client: CallbackRequestClient, callId: string): Promise<string | null> {
  try {
    const { memo } = await client.getHandle(callbackWorkflowId(callId)).describe();
    const promise = (memo as { promise?: { message?: unknown } } | undefined)?.promise;
    return typeof promise?.message === 'string' ? promise.message : null;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

/** The call's transfer that waits in line, if any: visibility may lag a moment, so it is looked for briefly. */
async function waitingTransfer(client: CallbackRequestClient, callId: string): Promise<string | null> {
  const query = `WorkflowType = '${TRANSFER_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND VapiCallId = '${callId}' AND TransferStage = 'waiting'`;
  for (const deadline = Date.now() + LOOK_FOR_MS; ; ) {
    for await (const execution of client.list({ query, pageSize: 10 })) return execution.workflowId;
    if (Date.now() >= deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
  }
}
