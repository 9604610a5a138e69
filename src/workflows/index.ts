// The workflow bundle's entry: every workflow the worker registers, by explicit name.
export { transferCall } from './transfer-call';
