/**
 * Compile-time proof that what Switchboard sends to Vapi satisfies `@vapi-ai/server-sdk`'s own types. Nothing
 * here runs; `npm run typecheck` (part of `npm test`) fails when a body drifts from Vapi's schema.
 *
 * One deliberate gap: the SDK types `transferPlan.sipVerb` as `Record<string, unknown>` while Vapi's API
 * takes the strings `refer | bye | dial`; our strict string type is checked without that one key.
 */
import type { Vapi } from '@vapi-ai/server-sdk';
import type { CallDestination, TransferPlan } from '../contracts';
import type { ToolCallResult } from '../api/webhook/tool-calls';
import type { DestinationResponse } from '../api/webhook/destination-request';
import type { ControlCommand } from '../integrations/call-control-client';
import type { CallbackCallBody } from '../integrations/vapi-calls';

type Conforms<Ours, Theirs> = [Ours] extends [Theirs] ? true : never;
/** Structural typing lets extra keys through; Vapi rejects them ("property X should not exist"). */
type NoExtraKeys<Ours, Theirs> = [Exclude<keyof Ours, keyof Theirs>] extends [never] ? true : never;

type WithoutSipVerb<T> = T extends { transferPlan?: TransferPlan }
  ? Omit<T, 'transferPlan'> & { transferPlan?: Omit<TransferPlan, 'sipVerb'> }
  : T;
type SdkComparable<T> = T extends CallDestination ? WithoutSipVerb<T> : T;

type TransferCommand = Extract<ControlCommand, { type: 'transfer' }>;
type AddMessageCommand = Extract<ControlCommand, { type: 'add-message' }>;
type SayCommand = Extract<ControlCommand, { type: 'say' }>;

export const conformance = {
  controlTransfer: true satisfies Conforms<
    Omit<TransferCommand, 'destination'> & { destination: SdkComparable<CallDestination> },
    Vapi.ClientInboundMessageMessage.Transfer
  >,
  controlSay: true satisfies Conforms<SayCommand, Vapi.ClientInboundMessageMessage.Say>,
  transferPlan: true satisfies Conforms<Omit<TransferPlan, 'sipVerb'>, Vapi.TransferPlan>,
  transferPlanKeys: true satisfies NoExtraKeys<TransferPlan, Vapi.TransferPlan>,
  numberKeys: true satisfies NoExtraKeys<Extract<CallDestination, { type: 'number' }>, Vapi.ClientInboundMessageTransferDestination.Number>,
  sipKeys: true satisfies NoExtraKeys<Extract<CallDestination, { type: 'sip' }>, Vapi.ClientInboundMessageTransferDestination.Sip>,
  controlAddMessage: true satisfies Conforms<AddMessageCommand, Vapi.ClientInboundMessageMessage.AddMessage>,
  createCall: true satisfies Conforms<CallbackCallBody, Vapi.CreateCallDto>,
  createCallKeys: true satisfies NoExtraKeys<CallbackCallBody, Vapi.CreateCallDto>,
  createCallOverridesKeys: true satisfies NoExtraKeys<CallbackCallBody['assistantOverrides'], Vapi.AssistantOverrides>,
  toolCallResultKeys: true satisfies NoExtraKeys<ToolCallResult, Vapi.ToolCallResult>,
  toolCallsResponse: true satisfies Conforms<{ results: ToolCallResult[] }, Vapi.ServerMessageResponseToolCalls>,
  destinationResponse: true satisfies Conforms<
    | { destination: SdkComparable<Extract<DestinationResponse, { destination: unknown }>['destination']> }
    | Extract<DestinationResponse, { error: string }>,
    Vapi.ServerMessageResponseTransferDestinationRequest
  >,
} as const;
