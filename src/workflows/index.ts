// The workflow bundle's entry: every workflow the worker registers, by explicit name.
export { agent } from './v1/agent';
export { transferCall } from './v1/transfer-call';
