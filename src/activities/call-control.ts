import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { CallDestination } from '../contracts';
import { FailureType } from '../contracts';
import type { CallControlClient, ControlCommand } from '../integrations/call-control-client';
import { ControlRequestError } from '../integrations/call-control-client';
import type { CallStatusSource } from '../integrations/call-status';
import { VapiApiError } from '../integrations/call-status';
import { callDestinationSchema } from '../vapi/destinations';
import { checkControlUrl, parseAllowedHosts } from '../vapi/control-url';

export interface CallControlDeps {
  callControl: CallControlClient;
  controlUrlAllowedHosts: readonly string[];
  callStatus: CallStatusSource;
}

export interface ExecuteTransferInput {
  callId: string;
  controlUrl: string;
  destination: CallDestination;
  /** Spoken to the caller before the transfer. */
  content: string;
}

export interface SayToCallerInput {
  callId: string;
  controlUrl: string;
  content: string;
}

export function createCallControlActivities(deps: CallControlDeps) {
  const allowedHosts = parseAllowedHosts(deps.controlUrlAllowedHosts);

  function guard(controlUrl: string, callId: string): void {
    // Checked by the API already; checked again here because the worker is the process that sends.
    const verdict = checkControlUrl(controlUrl, callId, allowedHosts);
    if (!verdict.ok) throw ApplicationFailure.nonRetryable(verdict.reason, FailureType.ControlUrlRejected);
  }

  async function send(controlUrl: string, command: ControlCommand): Promise<{ status: number }> {
    try {
      return await deps.callControl.send(controlUrl, command, { signal: Context.current().cancellationSignal });
    } catch (error) {
      if (!(error instanceof ControlRequestError)) throw error;
      switch (error.kind) {
        case 'rejected':
          throw ApplicationFailure.nonRetryable(error.message, FailureType.ControlUrlRejected, { status: error.status });
        case 'unavailable':
          throw ApplicationFailure.retryable(error.message, FailureType.ControlUrlUnavailable, { status: error.status });
        case 'unknown':
          throw ApplicationFailure.nonRetryable(error.message, FailureType.TransferOutcomeUnknown);
      }
    }
  }

  return {
    /**
     * POSTs `{type: "transfer", destination, content}` to the call's controlUrl. 4xx and ambiguous timeouts are
     * final (sending a transfer twice is worse than not at all); 5xx and undelivered requests are retried by
     * the workflow's retry policy.
     */
    async executeTransfer(input: ExecuteTransferInput): Promise<{ status: number }> {
      guard(input.controlUrl, input.callId);
      const destination = callDestinationSchema.safeParse(input.destination);
      if (!destination.success) {
        throw ApplicationFailure.nonRetryable('routing produced a destination Vapi would refuse', FailureType.NoDestination);
      }
      return send(input.controlUrl, { type: 'transfer', destination: destination.data, content: input.content });
    },

    /**
     * Vapi's current status of the call (`in-progress`, `forwarding`, `ended`, `not-found`, ...), or null when it
     * cannot be asked (no VAPI_API_KEY). When Vapi does not answer, the activity fails retryably, so its retry
     * policy applies; the workflow reads a final failure as "cannot tell".
     */
    async checkCallState(input: { callId: string }): Promise<{ status: string | null }> {
      try {
        return { status: await deps.callStatus.status(input.callId) };
      } catch (error) {
        if (!(error instanceof VapiApiError)) throw error;
        throw ApplicationFailure.retryable(error.message, FailureType.VapiApiUnavailable, { operation: error.operation, outcome: error.outcome, ...error.detail });
      }
    },

    /** Tells the caller something through a `say` command; repeating a sentence is harmless, so all failures retry. */
    async sayToCaller(input: SayToCallerInput): Promise<{ status: number }> {
      guard(input.controlUrl, input.callId);
      try {
        return await send(input.controlUrl, { type: 'say', content: input.content });
      } catch (error) {
        if (error instanceof ApplicationFailure && error.type === FailureType.TransferOutcomeUnknown) {
          throw ApplicationFailure.retryable(error.message, FailureType.ControlUrlUnavailable);
        }
        throw error;
      }
    },
  };
}
