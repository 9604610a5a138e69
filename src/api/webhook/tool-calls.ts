import type { CallbackAsk, TransferRequest, TransferTimings } from '../../contracts';
import { CALLBACK_TOOL_NAME } from '../../contracts';
import type { AllowedHost } from '../../vapi/control-url';
import { checkControlUrl } from '../../vapi/control-url';
import type { NormalizedToolCall, ToolCallsMessage } from '../../vapi/messages';
import { assistantIdOf, callbackArgumentsSchema, callerNumber, callerWords, describeIssues, listToolCalls, transferArgumentsSchema } from '../../vapi/messages';
import { AppError } from '../errors';

/** One entry of the `results` array Vapi expects: `result` or `error`, a single line each. */
export interface ToolCallResult {
  toolCallId: string;
  name: string;
  result?: string;
  error?: string;
}

export type PlannedToolCall =
  | { kind: 'answer'; answer: ToolCallResult }
  | { kind: 'transfer'; toolCall: NormalizedToolCall; request: TransferRequest }
  | { kind: 'callback'; toolCall: NormalizedToolCall; callId: string; ask: CallbackAsk };

/** What the assistant hears when it asks for a call back where none can be offered. */
export const CALLBACKS_OFF_RESULT = 'Call backs are not offered here: the caller can keep waiting with you, and will be put through when an agent is free.';

export const LIVE_CALL_CONTROL_HELP =
  'Cannot transfer: this call has no Live Call Control URL (call.monitor.controlUrl). Enable it with assistant.monitorPlan.controlEnabled = true.';

/** Vapi ignores multi-line results; flatten whatever we say to one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Decides, for each tool call of a message and in order, what to answer or which transfer to start.
 * Throws a 400 {@link AppError} when the message carries a transfer whose controlUrl fails the guard: such
 * a message is refused whole and nothing is started.
 */
export function planToolCalls(
  message: ToolCallsMessage,
  options: {
    transferToolNames: readonly string[];
    allowedHosts: readonly AllowedHost[];
    receivedAt: Date;
    timings: TransferTimings;
    /** The simulator's as-of time for routing, already admitted (embedded mode only). */
    routeAt?: string;
    /** Callers waiting in line may be offered a call back (VAPI_API_KEY and VAPI_PHONE_NUMBER_ID are set). */
    callbacks?: boolean;
  },
): PlannedToolCall[] {
  const toolCalls = listToolCalls(message);
  const callId = message.call.id;
  const controlUrl = message.call.monitor?.controlUrl ?? undefined;
  const hasTransfer = toolCalls.some((call) => options.transferToolNames.includes(call.name));
  if (hasTransfer && controlUrl) {
    const verdict = checkControlUrl(controlUrl, callId, options.allowedHosts);
    if (!verdict.ok) {
      throw new AppError({
        httpStatus: 400,
        code: 'control_url_refused',
        message: verdict.reason,
        details: [{ path: 'message.call.monitor.controlUrl', message: verdict.reason }],
      });
    }
  }
  return toolCalls.map((toolCall): PlannedToolCall => {
    const answer = (fields: { result: string } | { error: string }): PlannedToolCall => ({
      kind: 'answer',
      answer: { toolCallId: toolCall.id, name: toolCall.name, ...fields },
    });
    if (toolCall.name === CALLBACK_TOOL_NAME && !options.transferToolNames.includes(toolCall.name)) {
      if (!options.callbacks) return answer({ result: CALLBACKS_OFF_RESULT });
      const args = callbackArgumentsSchema.safeParse(toolCall.arguments);
      if (!args.success || 'invalid' in toolCall.arguments) {
        const problems = args.success ? [String(toolCall.arguments.invalid)] : describeIssues(args.error).map((issue) => `${issue.path}: ${issue.message}`);
        return answer({ error: oneLine(`Cannot arrange a call back: invalid arguments (${problems.join('; ')}).`) });
      }
      return { kind: 'callback', toolCall, callId, ask: args.data.notBefore ? { notBefore: args.data.notBefore } : {} };
    }
    if (!options.transferToolNames.includes(toolCall.name)) {
      const handled = [...options.transferToolNames, ...(options.callbacks ? [CALLBACK_TOOL_NAME] : [])];
      return answer({ error: oneLine(`Unknown tool "${toolCall.name}": this server handles ${handled.join(', ')}.`) });
    }
    if ('invalid' in toolCall.arguments && typeof toolCall.arguments.invalid === 'string' && Object.keys(toolCall.arguments).length === 1) {
      return answer({ error: oneLine(`Cannot transfer: ${toolCall.arguments.invalid}.`) });
    }
    const args = transferArgumentsSchema.safeParse(toolCall.arguments);
    if (!args.success) {
      const problems = describeIssues(args.error).map((issue) => `${issue.path}: ${issue.message}`);
      return answer({ error: oneLine(`Cannot transfer: invalid arguments (${problems.join('; ')}).`) });
    }
    if (!controlUrl) return answer({ error: LIVE_CALL_CONTROL_HELP });
    const words = callerWords(message);
    const number = callerNumber(message);
    const assistantId = assistantIdOf(message);
    return {
      kind: 'transfer',
      toolCall,
      request: {
        callId,
        toolCallId: toolCall.id,
        controlUrl,
        mode: 'control-url',
        receivedAt: options.receivedAt.toISOString(),
        urgency: args.data.urgency,
        ...(args.data.department ? { department: args.data.department } : {}),
        ...(args.data.reason ? { reason: args.data.reason } : {}),
        ...(args.data.customerId ? { customerId: args.data.customerId } : {}),
        ...(number ? { callerNumber: number } : {}),
        ...(words ? { callerWords: words } : {}),
        ...options.timings,
        ...(options.routeAt ? { routeAt: options.routeAt } : {}),
        ...(options.callbacks ? { callbacks: true } : {}),
        ...(assistantId ? { assistantId } : {}),
      },
    };
  });
}
