import { z } from 'zod';
import { URGENCIES } from '../contracts';
import type { Urgency } from '../contracts';

/**
 * Tolerant schemas for what Vapi sends. Real payloads differ from Vapi's own typings (object vs string
 * arguments, ISO vs epoch timestamps, legacy `toolCalls`), so incoming schemas accept unknown keys and
 * every documented variant; what Switchboard sends is validated strictly elsewhere.
 */

const MAX_ID_LENGTH = 200;
/** Ids become part of workflow ids: keep them to characters that need no escaping anywhere. */
const idSchema = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must contain only letters, digits and . _ : -');

export const timestampSchema = z.union([z.number().finite(), z.string().max(64)]);

export const callSchema = z.looseObject({
  id: idSchema,
  monitor: z.looseObject({ controlUrl: z.string().max(2048).optional(), listenUrl: z.string().optional() }).nullish(),
  customer: z.looseObject({ number: z.string().max(64).nullish() }).nullish(),
});

const jsonObject = z.record(z.string(), z.unknown());

const toolCallSchema = z
  .looseObject({
    id: idSchema,
    type: z.string().optional(),
    function: z
      .looseObject({
        name: z.string().min(1).max(80),
        arguments: z.union([jsonObject, z.string().max(100_000)]).nullish(),
      })
      .optional(),
    // Flat shapes from Vapi's docs that no real payload uses, tolerated all the same.
    name: z.string().min(1).max(80).optional(),
    arguments: z.union([jsonObject, z.string().max(100_000)]).nullish(),
    parameters: jsonObject.nullish(),
  })
  .refine((call) => Boolean(call.function?.name ?? call.name), { message: 'tool call has no function name', path: ['function', 'name'] });

const artifactMessageSchema = z.looseObject({ role: z.string().optional(), message: z.unknown().optional() });

export const toolCallsMessageSchema = z
  .looseObject({
    type: z.literal('tool-calls'),
    timestamp: timestampSchema.optional(),
    call: callSchema,
    customer: z.looseObject({ number: z.string().max(64).nullish() }).nullish(),
    toolCallList: z.array(toolCallSchema).max(64).optional(),
    toolCalls: z.array(toolCallSchema).max(64).optional(),
    toolWithToolCallList: z.array(z.looseObject({ toolCall: toolCallSchema })).max(64).optional(),
    artifact: z.looseObject({ messages: z.array(artifactMessageSchema).max(10_000).optional() }).nullish(),
  })
  .refine((message) => message.toolCallList ?? message.toolCalls ?? message.toolWithToolCallList, {
    message: 'tool-calls message has none of toolCallList, toolWithToolCallList, toolCalls',
    path: ['toolCallList'],
  });

export type ToolCallsMessage = z.output<typeof toolCallsMessageSchema>;

export const envelopeSchema = z.object({
  message: z.looseObject({ type: z.string().min(1).max(100) }),
});

/** A tool call with its arguments decoded: always an object, or the reason it could not be decoded. */
export interface NormalizedToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown> | { invalid: string };
}

/**
 * The tool calls of a message, in order. `toolCallList` is the current field; `toolWithToolCallList[].toolCall`
 * carries the same calls; the legacy `toolCalls` appears in 2024 payloads.
 */
export function listToolCalls(message: ToolCallsMessage): NormalizedToolCall[] {
  const calls = message.toolCallList ?? message.toolWithToolCallList?.map((entry) => entry.toolCall) ?? message.toolCalls ?? [];
  return calls.map((call) => ({
    id: call.id,
    name: (call.function?.name ?? call.name)!,
    arguments: decodeArguments(call.function?.arguments ?? call.arguments ?? call.parameters),
  }));
}

function decodeArguments(raw: unknown): NormalizedToolCall['arguments'] {
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw === 'string') {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      return { invalid: 'arguments must be a JSON object' };
    } catch {
      return { invalid: 'arguments are not valid JSON' };
    }
  }
  return raw as Record<string, unknown>;
}

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .nullable()
    .transform((value) => (value == null || value.trim() === '' ? undefined : value.trim()));

/** Arguments of the transfer tool, as the seed document defines them. All optional: routing copes. */
export const transferArgumentsSchema = z.looseObject({
  department: optionalText(100),
  reason: optionalText(2000),
  urgency: z
    .string()
    .optional()
    .nullable()
    .transform((value) => (value == null || value.trim() === '' ? 'medium' : value.trim().toLowerCase()))
    .pipe(z.enum(URGENCIES, { message: `must be one of ${URGENCIES.join(', ')}` })),
  customerId: optionalText(100),
});

export type TransferArguments = { department?: string; reason?: string; urgency: Urgency; customerId?: string };

/** Arguments of the `request_callback` tool: when the caller would like the call back, at the earliest (optional). */
export const callbackArgumentsSchema = z.looseObject({
  notBefore: z
    .string()
    .optional()
    .nullable()
    .transform((value) => (value == null || value.trim() === '' ? undefined : value.trim()))
    .pipe(z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with an offset, e.g. 2026-11-25T15:00:00-05:00' }).optional()),
});

/** The assistant that answered the call: `call.assistantId`, else the message's `assistant.id`; a call back uses the same one. */
export function assistantIdOf(message: { call: object; assistant?: unknown }): string | undefined {
  const id = (message.call as { assistantId?: unknown }).assistantId ?? (message.assistant as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' && idSchema.safeParse(id).success ? id : undefined;
}

/** Whether Vapi placed the call (outbound) rather than received it: what an unexpected report of it is judged by. */
export function isOutboundCall(call: object): boolean {
  return (call as { type?: unknown }).type === 'outboundPhoneCall';
}

/** The caller's own words from the live artifact, newest last, bounded so the workflow input stays small. */
export function callerWords(message: { artifact?: { messages?: { role?: string; message?: unknown }[] } | null }, maxChars = 2000): string | undefined {
  const words = (message.artifact?.messages ?? [])
    .filter((entry) => entry.role === 'user' && typeof entry.message === 'string')
    .map((entry) => (entry.message as string).trim())
    .filter(Boolean)
    .join(' ');
  if (!words) return undefined;
  return words.length > maxChars ? words.slice(words.length - maxChars) : words;
}

/** The caller's number: `call.customer.number`, else the message-level `customer.number`. */
export function callerNumber(message: { call: { customer?: { number?: string | null } | null }; customer?: { number?: string | null } | null }): string | undefined {
  const value = message.call.customer?.number ?? message.customer?.number ?? undefined;
  return value && /^\+[1-9]\d{1,14}$/.test(value) ? value : undefined;
}

/** Formats zod issues as `path: message`, the shape every 400 of the API uses. */
export function describeIssues(error: z.ZodError, prefix: (string | number)[] = []): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.') || '(body)',
    message: issue.message,
  }));
}

const commonFields = {
  timestamp: timestampSchema.optional(),
  call: callSchema,
  artifact: z.looseObject({ messages: z.array(artifactMessageSchema).max(10_000).optional() }).nullish(),
};

/** `status-update`: use the message-level `status` and `endedReason`; the embedded `call.status` is stale. */
export const statusUpdateMessageSchema = z.looseObject({
  type: z.literal('status-update'),
  status: z.string().min(1).max(64),
  endedReason: z.string().max(200).nullish(),
  destination: z.looseObject({ type: z.string().max(32).optional() }).nullish(),
  ...commonFields,
});

export const transferUpdateMessageSchema = z.looseObject({
  type: z.literal('transfer-update'),
  destination: z.looseObject({ type: z.string().max(32).optional() }).nullish(),
  ...commonFields,
});

export const endOfCallReportMessageSchema = z.looseObject({
  type: z.literal('end-of-call-report'),
  endedReason: z.string().max(200).nullish(),
  ...commonFields,
});

/** `transfer-destination-request`: common fields only; the department has to come from the caller's words. */
export const transferDestinationRequestMessageSchema = z.looseObject({
  type: z.literal('transfer-destination-request'),
  customer: z.looseObject({ number: z.string().max(64).nullish() }).nullish(),
  ...commonFields,
});

export type StatusUpdateMessage = z.output<typeof statusUpdateMessageSchema>;
export type TransferDestinationRequestMessage = z.output<typeof transferDestinationRequestMessageSchema>;

/**
 * Ids of the tool calls named `toolNames` that the call's live artifact records (`role: tool_calls`). Each
 * maps to a transfer workflow id, so events reach their workflows without waiting for visibility.
 */
export function artifactToolCallIds(message: { artifact?: { messages?: { role?: string; [key: string]: unknown }[] } | null }, toolNames: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const entry of message.artifact?.messages ?? []) {
    if (entry.role !== 'tool_calls' || !Array.isArray(entry.toolCalls)) continue;
    for (const call of entry.toolCalls as { id?: unknown; function?: { name?: unknown } }[]) {
      if (typeof call?.id === 'string' && /^[A-Za-z0-9._:-]{1,200}$/.test(call.id) && toolNames.includes(String(call.function?.name))) {
        ids.add(call.id);
      }
    }
  }
  return [...ids];
}
