import { randomUUID } from 'node:crypto';
import template from './templates/tool-calls.transfer.SYNTHETIC.json';

/**
 * Builds `tool-calls` webhook bodies for the simulator, tests and benchmarks. The template is a real Vapi
 * capture (test/fixtures/vapi/tool-calls.vapi4k-inbound-phone-2024-08.json) with the tool swapped for
 * `transfer_call`, a `call.monitor` block added and an epoch-ms timestamp, as 2025+ payloads carry.
 */
export interface ToolCallsPayloadOptions {
  callId?: string;
  toolCallId?: string;
  controlUrl?: string | null;
  arguments?: Record<string, unknown>;
  toolName?: string;
  callerNumber?: string | null;
  /** The caller's turns, in order. */
  callerTurns?: string[];
  timestamp?: number | string;
  /** `call.assistantId`: a saved assistant answered (the template's call carries a transient one). */
  assistantId?: string;
}

export function newCallId(): string {
  return randomUUID();
}

export function newToolCallId(): string {
  return `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

export function buildToolCallsPayload(options: ToolCallsPayloadOptions = {}) {
  const body = structuredClone(template) as typeof template & { message: Record<string, unknown> };
  const message = body.message as unknown as Record<string, any>;
  const callId = options.callId ?? newCallId();
  const toolCallId = options.toolCallId ?? newToolCallId();
  const toolName = options.toolName ?? 'transfer_call';
  const args = options.arguments ?? { department: 'billing', reason: 'question about my invoice', urgency: 'medium' };
  const toolCall = { id: toolCallId, type: 'function', function: { name: toolName, arguments: args } };

  message.toolCalls = [structuredClone(toolCall)];
  message.toolCallList = [structuredClone(toolCall)];
  message.toolWithToolCallList[0].toolCall = structuredClone(toolCall);
  message.toolWithToolCallList[0].function.name = toolName;
  message.call.id = callId;
  if (options.assistantId) message.call.assistantId = options.assistantId;
  message.timestamp = options.timestamp ?? Date.now();
  if (options.controlUrl === null) delete message.call.monitor;
  else {
    const controlUrl = options.controlUrl ?? `https://phone-call-websocket.aws-us-west-2-backend-production1.vapi.ai/${callId}/control`;
    message.call.monitor = { listenUrl: controlUrl.replace(/^http/, 'ws').replace(/\/control$/, '/listen'), controlUrl };
  }
  if (options.callerNumber === null) {
    delete message.call.customer;
    delete message.customer;
  } else if (options.callerNumber) {
    message.call.customer = { number: options.callerNumber };
    message.customer = { number: options.callerNumber };
  }
  if (options.callerTurns) {
    const bot = message.artifact.messages.find((entry: { role: string }) => entry.role === 'bot');
    const toolEntry = message.artifact.messages.find((entry: { role: string }) => entry.role === 'tool_calls');
    toolEntry.toolCalls = [{ ...structuredClone(toolCall), function: { name: toolName, arguments: JSON.stringify(args) } }];
    message.artifact.messages = [
      bot,
      ...options.callerTurns.map((text, index) => ({ role: 'user', message: text, time: 1770377600000 + index * 4000, secondsFromStart: 2 + index * 4 })),
      toolEntry,
    ];
  }
  return { body, callId, toolCallId };
}

/**
 * The `status-update` Vapi sends once a transfer it was told to make is under way (`status: forwarding`),
 * naming the call and, in its artifact, the tool call that asked for it: what settles a transfer as
 * `transferred`. Shaped like test/fixtures/vapi/status-update.forwarding.SYNTHETIC.json.
 */
export function buildForwardingStatusUpdate(options: { callId: string; toolCallId: string; controlUrl: string; toolName?: string }) {
  const { callId, toolCallId, controlUrl } = options;
  return {
    message: {
      type: 'status-update',
      status: 'forwarding',
      timestamp: Date.now(),
      call: {
        id: callId,
        type: 'inboundPhoneCall',
        status: 'forwarding',
        monitor: { listenUrl: controlUrl.replace(/^http/, 'ws').replace(/\/control$/, '/listen'), controlUrl },
      },
      artifact: {
        messages: [
          { role: 'tool_calls', toolCalls: [{ id: toolCallId, type: 'function', function: { name: options.toolName ?? 'transfer_call', arguments: '{}' } }], message: '' },
        ],
      },
    },
  };
}

/**
 * A `status-update` about a call, as Vapi sends one for each change of status (`ringing`, `in-progress`,
 * `forwarding`, `ended` with its `endedReason`): the message-level status, and the whole call object as Vapi
 * holds it (for a call back: its `assistantOverrides`, which carry the callback's tag).
 */
export function buildCallStatusUpdate(options: { call: { id: string } & Record<string, unknown>; status: string; endedReason?: string }) {
  return {
    message: {
      type: 'status-update',
      status: options.status,
      ...(options.endedReason ? { endedReason: options.endedReason } : {}),
      timestamp: Date.now(),
      call: { ...options.call, status: options.status, ...(options.endedReason ? { endedReason: options.endedReason } : {}) },
    },
  };
}
