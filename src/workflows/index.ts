// The workflow bundle's entry: every workflow the worker registers, by explicit name.
export { agentPool } from './agent-pool';
export { transferCall } from './transfer-call';
