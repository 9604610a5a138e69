// Preload for chaos scenario (e): `node --import tsx --import ./chaos/faults/crm-down.mjs ...`.
// A plain module because Node hands --import to the SDK's workflow worker thread too, where TypeScript
// cannot be loaded (and no CRM runs): only the main thread, where tsx is registered, applies the fault.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) await import('./crm-down.ts');
