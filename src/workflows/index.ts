// The workflow bundle's entry: every workflow the worker registers, by explicit name.
export { agent } from './agent';
export { transferCall } from './transfer-call';
