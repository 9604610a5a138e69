import { defineQuery } from '@temporalio/workflow';
import type { TransferStatus } from './transfer';

/** Steps, decision and outcome of a transfer so far. */
export const transferStatusQuery = defineQuery<TransferStatus>('status');
