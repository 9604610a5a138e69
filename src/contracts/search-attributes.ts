import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes are stored in plain text and never pass through the payload codec: ids, departments,
 * tiers and outcomes only, never names, numbers or words.
 */
export const VapiCallId = defineSearchAttributeKey('VapiCallId', SearchAttributeType.KEYWORD);
export const TransferDepartment = defineSearchAttributeKey('TransferDepartment', SearchAttributeType.KEYWORD);
export const TransferOutcomeAttribute = defineSearchAttributeKey('TransferOutcome', SearchAttributeType.KEYWORD);
export const CustomerTierAttribute = defineSearchAttributeKey('CustomerTier', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [VapiCallId, TransferDepartment, TransferOutcomeAttribute, CustomerTierAttribute] as const;
