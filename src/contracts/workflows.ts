import type { CallbackInput, CallbackResult } from './callback';
import type { FloorInput } from './floor';
import type { TransferRequest, TransferResult } from './transfer';

/**
 * The signatures of the workflows, for typed starts, updates and signals from outside `src/workflows`: the API,
 * the activities and the operator tools name a workflow by its type name (`TRANSFER_WORKFLOW_TYPE`,
 * `FLOOR_WORKFLOW_TYPE`) and these types, never by importing workflow code.
 */
export type TransferCallWorkflow = (request: TransferRequest) => Promise<TransferResult>;
export type FloorWorkflow = (input?: FloorInput) => Promise<void>;
export type CallbackWorkflow = (input: CallbackInput) => Promise<CallbackResult>;
