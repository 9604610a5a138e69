// The workflow bundle's entry: every workflow the worker registers, by explicit name.
export { callback } from './callback';
export { floor } from './floor';
export { transferCall } from './transfer-call';
// 1.0's per-agent workflows: kept registered for the ones already running; nothing starts new ones.
export { agent } from './v1/agent';
