import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { CallStateReport, ExecuteTransferInput, SayToCallerInput, SendingMarker } from '../contracts';
import { FailureType, SENDING_MARKER } from '../contracts';
import type { CallControlClient, ControlCommand } from '../integrations/call-control-client';
import { ControlRequestError } from '../integrations/call-control-client';
import type { CallStatusSource } from '../integrations/call-status';
import { VapiApiError } from '../integrations/call-status';
import { callDestinationSchema } from '../vapi/destinations';
import { checkControlUrl, parseAllowedHosts } from '../vapi/control-url';

/**
 * Records, durably and before the request's first byte is written, that a control POST is about to leave: a
 * heartbeat the server has acknowledged. If the worker then dies, the attempt's timeout carries the marker
 * (the attempt may have reached Vapi); without it, the attempt provably never left.
 */
export interface AttemptRecorder {
  /** `switchboardSending: false`: the request that was about to leave has its answer (nothing of it is in flight). */
  record(taskToken: Uint8Array, marker: SendingMarker | { [SENDING_MARKER]: false; at: string }): Promise<void>;
}

export interface CallControlDeps {
  callControl: CallControlClient;
  controlUrlAllowedHosts: readonly string[];
  callStatus: CallStatusSource;
  attempts: AttemptRecorder;
}

/** While a POST waits for its answer, the attempt tells the server it is alive this often (heartbeat timeout 2 s). */
const HEARTBEAT_EVERY_MS = 500;

export function createCallControlActivities(deps: CallControlDeps) {
  const allowedHosts = parseAllowedHosts(deps.controlUrlAllowedHosts);

  function guard(controlUrl: string, callId: string): void {
    // Checked by the API already; checked again here because the worker is the process that sends.
    const verdict = checkControlUrl(controlUrl, callId, allowedHosts);
    if (!verdict.ok) throw ApplicationFailure.nonRetryable(verdict.reason, FailureType.ControlUrlRejected);
  }

  /** A control command, its failure typed by what it proves (see ControlRequestError). */
  async function send(controlUrl: string, command: ControlCommand, beforeWrite?: () => Promise<void>): Promise<{ status: number }> {
    try {
      return await deps.callControl.send(controlUrl, command, { signal: Context.current().cancellationSignal, ...(beforeWrite ? { beforeWrite } : {}) });
    } catch (error) {
      if (!(error instanceof ControlRequestError)) throw error;
      const details = { status: error.status ?? null, retryAfterMs: error.retryAfterMs ?? null };
      switch (error.kind) {
        case 'rejected':
          throw ApplicationFailure.nonRetryable(error.message, FailureType.ControlUrlRejected, details);
        case 'unavailable':
          throw ApplicationFailure.retryable(error.message, FailureType.ControlUrlUnavailable, details);
        case 'unknown':
          throw ApplicationFailure.nonRetryable(error.message, FailureType.TransferOutcomeUnknown, details);
      }
    }
  }

  return {
    /**
     * POSTs `{type: "transfer", destination, content}` to the call's controlUrl, once. Before writing, the
     * attempt is recorded (see {@link AttemptRecorder}); while it waits it heartbeats with the same marker.
     * Failures say what they prove: `ControlUrlRejected` (nothing happened), `ControlUrlUnavailable` (it never
     * reached Vapi, or Vapi did not act: safe to send again), `TransferOutcomeUnknown` (it may have been done).
     */
    async executeTransfer(input: ExecuteTransferInput): Promise<{ status: number }> {
      guard(input.controlUrl, input.callId);
      const destination = callDestinationSchema.safeParse(input.destination);
      if (!destination.success) {
        throw ApplicationFailure.nonRetryable('routing produced a destination Vapi would refuse', FailureType.NoDestination);
      }
      const context = Context.current();
      const marker: SendingMarker = { [SENDING_MARKER]: true, at: new Date().toISOString() };
      let beating: ReturnType<typeof setInterval> | undefined;
      try {
        return await send(input.controlUrl, { type: 'transfer', destination: destination.data, content: input.content }, async () => {
          await deps.attempts.record(context.info.taskToken, marker);
          beating = setInterval(() => context.heartbeat(marker), HEARTBEAT_EVERY_MS);
        });
      } finally {
        clearInterval(beating);
      }
    },

    /**
     * Vapi's current status of the call (`in-progress`, `forwarding`, `ended`, `not-found`, ...) and, where Vapi
     * says, why it ended; status null when it cannot be asked (no VAPI_API_KEY). When Vapi does not answer, the
     * activity fails retryably, so its retry policy applies; the workflow reads a final failure as "cannot tell".
     */
    async checkCallState(input: { callId: string }): Promise<CallStateReport> {
      try {
        return deps.callStatus.report ? await deps.callStatus.report(input.callId) : { status: await deps.callStatus.status(input.callId) };
      } catch (error) {
        if (!(error instanceof VapiApiError)) throw error;
        throw ApplicationFailure.retryable(error.message, FailureType.VapiApiUnavailable, { operation: error.operation, outcome: error.outcome, ...error.detail });
      }
    },

    /** Tells the caller something through a `say` command. */
    sayToCaller(input: SayToCallerInput): Promise<{ status: number }> {
      return sendRepeatable(input, { type: 'say', content: input.content });
    },

    /**
     * Tells the assistant where things stand (a caller's place in line, why they go elsewhere): a system
     * message it answers at once in its own words.
     */
    tellAssistant(input: SayToCallerInput): Promise<{ status: number }> {
      return sendRepeatable(input, { type: 'add-message', message: { role: 'system', content: input.content }, triggerResponseEnabled: true });
    },
  };

  /** A command that is harmless to repeat (a sentence said twice): every failure but a refusal retries. */
  async function sendRepeatable(input: SayToCallerInput, command: ControlCommand): Promise<{ status: number }> {
    guard(input.controlUrl, input.callId);
    try {
      return await send(input.controlUrl, command);
    } catch (error) {
      if (error instanceof ApplicationFailure && error.type !== FailureType.ControlUrlUnavailable && error.type !== FailureType.ControlUrlRejected) {
        throw ApplicationFailure.retryable(error.message, FailureType.ControlUrlUnavailable);
      }
      throw error;
    }
  }
}
