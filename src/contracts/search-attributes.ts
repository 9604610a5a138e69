import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes are stored in plain text and never pass through the payload codec: ids, departments,
 * tiers and outcomes only, never names, numbers or words.
 */
export const VapiCallId = defineSearchAttributeKey('VapiCallId', SearchAttributeType.KEYWORD);
export const TransferDepartment = defineSearchAttributeKey('TransferDepartment', SearchAttributeType.KEYWORD);
export const TransferOutcomeAttribute = defineSearchAttributeKey('TransferOutcome', SearchAttributeType.KEYWORD);
export const CustomerTierAttribute = defineSearchAttributeKey('CustomerTier', SearchAttributeType.KEYWORD);
/** The agent the transfer went to (an id from the routing file), once routing decided. */
export const TransferAgent = defineSearchAttributeKey('TransferAgent', SearchAttributeType.KEYWORD);
/**
 * Where a transfer in flight stands: `routing`, `transferring`, `resolving-doubt`, `awaiting-outcome`, `waiting`, `done`;
 * a callback: `callback-waiting`, `callback-placing`, `callback-ringing`, `done`.
 */
export const TransferStageAttribute = defineSearchAttributeKey('TransferStage', SearchAttributeType.KEYWORD);
/** From the webhook accepting the request to Vapi taking the transfer, in ms: the latency a supervisor charts. */
export const TransferLatencyMs = defineSearchAttributeKey('TransferLatencyMs', SearchAttributeType.INT);

export const SEARCH_ATTRIBUTES = [VapiCallId, TransferDepartment, TransferOutcomeAttribute, CustomerTierAttribute, TransferAgent, TransferStageAttribute, TransferLatencyMs] as const;

/** The name each type has on the command line (`temporal operator search-attribute create --type …`). */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Record<string, string> = { [SearchAttributeType.KEYWORD]: 'Keyword', [SearchAttributeType.INT]: 'Int' };
