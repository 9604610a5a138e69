// Preload for the crash-point tests: `node --import tsx --import ./test/support/faults/crash-at.mjs src/temporal/main-worker.ts`
// with SWITCHBOARD_TEST_CRASH_AT set. A plain module because Node hands --import to the SDK's workflow worker
// thread too, where TypeScript cannot be loaded: only the main thread, where the activities run, applies it.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) await import('./crash-at.ts');
