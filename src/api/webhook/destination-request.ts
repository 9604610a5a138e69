import { createHash } from 'node:crypto';
import type { WorkflowClient } from '@temporalio/client';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { DestinationAnswer, TransferRequest, TransferTimings } from '../../contracts';
import { TRANSFER_WORKFLOW_TYPE, decideDestinationUpdate, destinationAbandonedSignal } from '../../contracts';
import { transferStartOptions } from '../../temporal/transfer-start';
import type { Logger } from '../../observability/logger';
import type { AllowedHost } from '../../vapi/control-url';
import { checkControlUrl } from '../../vapi/control-url';
import type { TransferDestinationRequestMessage } from '../../vapi/messages';
import { callerNumber, callerWords } from '../../vapi/messages';
import { callDestinationSchema } from '../../vapi/destinations';
import type { TransferCallWorkflow } from '../../contracts';

export type DestinationRequestClient = Pick<WorkflowClient, 'executeUpdateWithStart' | 'getHandle'>;

/** The body Vapi expects back (SDK `ServerMessageResponseTransferDestinationRequest`). */
export type DestinationResponse =
  | { destination: DestinationAnswer['destination'] & { message: string } }
  | { error: string };

export const NO_DESTINATION_ERROR = "I'm sorry, I can't transfer your call right now.";

/**
 * The stand-in tool call id of a destination request (it has none): the same for a redelivery of the same
 * request, so it joins the same workflow. The message's timestamp when it has one, else a digest of the raw
 * body; never the clock, which would make every redelivery a transfer of its own.
 */
export function destinationRequestKey(timestamp: number | string | undefined, rawBody: Buffer): string {
  if (typeof timestamp === 'number') return `dest-${Math.trunc(timestamp)}`;
  if (typeof timestamp === 'string') {
    const parsed = Date.parse(timestamp);
    if (!Number.isNaN(parsed)) return `dest-${parsed}`;
  }
  return `dest-sha256-${createHash('sha256').update(rawBody).digest('hex').slice(0, 32)}`;
}

/**
 * Answers Vapi's `transfer-destination-request` from the same routing workflow as a controlUrl transfer,
 * started with Update-with-Start: the update returns as soon as routing has decided, well inside Vapi's
 * webhook timeout, and the workflow goes on to wait for the outcome. Vapi executes the transfer itself,
 * so nothing is POSTed anywhere. Any failure, or the deadline passing, becomes an `error` Vapi speaks.
 */
export async function answerDestinationRequest(
  client: DestinationRequestClient,
  message: TransferDestinationRequestMessage,
  options: {
    taskQueue: string;
    allowedHosts: readonly AllowedHost[];
    deadlineMs: number;
    logger: Logger;
    now: Date;
    timings: TransferTimings;
    /** The request's bytes as received: a request without a timestamp is keyed by their digest. */
    rawBody: Buffer;
  },
): Promise<DestinationResponse> {
  const callId = message.call.id;
  const controlUrl = message.call.monitor?.controlUrl ?? undefined;
  const usableControlUrl = controlUrl && checkControlUrl(controlUrl, callId, options.allowedHosts).ok ? controlUrl : undefined;
  const words = callerWords(message);
  const number = callerNumber(message);
  const request: TransferRequest = {
    callId,
    toolCallId: destinationRequestKey(message.timestamp, options.rawBody),
    mode: 'destination-request',
    receivedAt: options.now.toISOString(),
    urgency: 'medium',
    // No tool arguments on this path: the caller's own words are the reason routing reads.
    ...(words ? { reason: words, callerWords: words } : {}),
    ...(number ? { callerNumber: number } : {}),
    ...(usableControlUrl ? { controlUrl: usableControlUrl } : {}),
    ...options.timings,
    // Past this the API tells Vapi there is no destination, and so does the transfer itself.
    answerBy: new Date(options.now.getTime() + options.deadlineMs).toISOString(),
  };
  const startOptions = transferStartOptions(request, options.taskQueue);
  const workflowId = startOptions.workflowId;
  const startWorkflowOperation = new WithStartWorkflowOperation<TransferCallWorkflow>(TRANSFER_WORKFLOW_TYPE, startOptions);
  const deadline = AbortSignal.timeout(options.deadlineMs);
  try {
    const answer = await Promise.race([
      client.executeUpdateWithStart(decideDestinationUpdate, { startWorkflowOperation }),
      new Promise<never>((_resolve, reject) => deadline.addEventListener('abort', () => reject(new Error('deadline exceeded')), { once: true })),
    ]);
    // Strict on the way out: a destination Vapi would refuse becomes an honest error instead.
    const destination = callDestinationSchema.parse({ ...answer.destination, message: answer.announcement });
    options.logger.info({ workflowId, callId }, 'destination decided');
    return { destination: { ...destination, message: answer.announcement } };
  } catch (error) {
    options.logger.warn({ workflowId, callId, err: { name: (error as Error)?.name, message: (error as Error)?.message } }, 'no destination for transfer-destination-request');
    // Vapi is told there is none, so it transfers nothing: the transfer must let go of what it holds. Told once
    // its start is known (a signal that overtook the start would find no workflow, and the transfer would hold
    // its agent until the outcome timeout); the answer to Vapi does not wait for it.
    void abandonOnceStarted(client, startWorkflowOperation, { workflowId, callId, logger: options.logger });
    return { error: NO_DESTINATION_ERROR };
  }
}

async function abandonOnceStarted(
  client: DestinationRequestClient,
  operation: WithStartWorkflowOperation<TransferCallWorkflow>,
  context: { workflowId: string; callId: string; logger: Logger },
): Promise<void> {
  const { workflowId, callId, logger } = context;
  // A start that failed left nothing to let go of.
  const started = await operation.workflowHandle().then(
    () => true,
    () => false,
  );
  if (!started) return;
  await client
    .getHandle(workflowId)
    .signal(destinationAbandonedSignal)
    .catch((signalError: unknown) => logger.warn({ workflowId, callId, err: { name: (signalError as Error)?.name } }, 'could not tell the transfer its destination request was abandoned'));
}
