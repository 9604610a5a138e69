import { readFileSync } from 'node:fs';
import type { FakeVapi } from '../bench/harness/fake-vapi';
import type { ManagedProcess } from '../bench/harness/processes';
import type { Switchboard, TemporalServer } from '../bench/harness/stack';

export interface ChaosContext {
  switchboard: Switchboard;
  temporal: TemporalServer;
  vapi: FakeVapi;
  logDir: string;
  /** Adds an observation to the scenario's row of the report. */
  note(text: string): void;
}

export interface Scenario {
  id: string;
  name: string;
  /** What is done to the system, in one line. */
  fault: string;
  /** Deliveries of each webhook, at the same instant. */
  deliveriesPerCall?: number;
  before?(ctx: ChaosContext): Promise<void>;
  /** Fault actions at offsets (ms) from the start of the load. */
  during?(ctx: ChaosContext): { atMs: number; action: () => Promise<void> }[];
  /** Puts the system back as it was for the next scenario. */
  after?(ctx: ChaosContext): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long the control URL takes to answer in every scenario: a real one is a network hop away, not 0 ms. */
export const CONTROL_LATENCY_MS = 100;
const realistic = () => ({ status: 200, body: {}, delayMs: CONTROL_LATENCY_MS });

/** Kills a worker with SIGKILL the moment the next transfer reaches the control URL, so transfers are in flight. */
function killOnNextTransfer(ctx: ChaosContext, index: number, heldMs: number): Promise<{ worker: ManagedProcess; inFlight: number }> {
  return new Promise((resolve) => {
    let fired = false;
    let inFlight = 0;
    ctx.vapi.answerWith((command) => {
      const type = (command.body as { type?: string })?.type;
      if (type === 'transfer') inFlight += 1;
      setTimeout(() => (inFlight -= type === 'transfer' ? 1 : 0), heldMs);
      if (type === 'transfer' && !fired) {
        fired = true;
        // Let the answer stay pending: the worker dies with this POST (or another) unanswered.
        setImmediate(() => {
          const worker = ctx.switchboard.workers[index]!;
          worker.kill('SIGKILL');
          resolve({ worker, inFlight });
        });
      }
      return { status: 200, body: {}, delayMs: heldMs };
    });
  });
}

function countInLogs(ctx: ChaosContext, names: string[], text: string): number {
  let count = 0;
  for (const name of names) {
    try {
      count += readFileSync(`${ctx.logDir}/${name}.log`, 'utf8').split(text).length - 1;
    } catch {
      // not written yet
    }
  }
  return count;
}

function crmDown(): Scenario {
  const workers = ['worker-1', 'worker-2'];
  let degradedBefore = 0;
  const restartAll = async (ctx: ChaosContext, preloads: string[]) => {
    // One at a time, so the other worker keeps serving: a rolling restart.
    for (const index of ctx.switchboard.workers.map((_, i) => i)) {
      await ctx.switchboard.workers[index]!.stop();
      await ctx.switchboard.restartWorker(index, { preloads });
    }
  };
  return {
    id: 'e',
    name: 'CRM down',
    fault: 'both workers restarted (one at a time) with a CRM that fails every call',
    async before(ctx) {
      await restartAll(ctx, ['chaos/faults/crm-down.mjs']);
      degradedBefore = countInLogs(ctx, workers, 'routing with defaults');
    },
    async after(ctx) {
      const degraded = countInLogs(ctx, workers, 'routing with defaults') - degradedBefore;
      ctx.note(`${degraded} transfers routed with defaults after the CRM lookup failed`);
      await restartAll(ctx, []);
    },
  };
}

export const SCENARIOS: Scenario[] = [
  {
    id: 'f',
    name: 'triple delivery',
    fault: 'every webhook delivered 3 times at the same instant',
    deliveriesPerCall: 3,
  },
  crmDown(),
  {
    id: 'c',
    name: 'control URL 503 then recovers',
    fault: 'the control URL answers 503 to everything for 7 s, then 200',
    during(ctx) {
      let served = 0;
      return [
        {
          atMs: 4_000,
          action: async () => {
            ctx.vapi.answerWith(() => {
              served += 1;
              return { status: 503, body: { message: 'unavailable' } };
            });
          },
        },
        {
          atMs: 11_000,
          action: async () => {
            ctx.vapi.answerWith(realistic);
            ctx.note(`${served} control requests answered 503`);
          },
        },
      ];
    },
  },
  {
    id: 'd',
    name: 'control answer lost',
    fault: 'for 6 s the control URL takes the transfer but never answers in time (the client times out after sending)',
    during(ctx) {
      let held = 0;
      return [
        {
          atMs: 4_000,
          action: async () => {
            ctx.vapi.answerWith(() => {
              held += 1;
              // Recorded as received (Vapi acted on it); the answer comes after Switchboard's 4 s timeout.
              return { status: 200, body: {}, delayMs: 8_000 };
            });
          },
        },
        {
          atMs: 10_000,
          action: async () => {
            ctx.vapi.answerWith(realistic);
            ctx.note(`${held} control requests received whose answers were lost`);
          },
        },
      ];
    },
  },
  {
    id: 'a',
    name: 'worker SIGKILL',
    fault: 'SIGKILL worker 1 mid-transfer, restart it 3 s later; then the same to worker 2',
    during(ctx) {
      const killAndRestart = (index: number) => async () => {
        const { inFlight } = await killOnNextTransfer(ctx, index, 400);
        const killedAt = Date.now();
        ctx.vapi.answerWith(realistic);
        await pause(3_000);
        await ctx.switchboard.restartWorker(index);
        ctx.note(`worker ${index + 1} killed with ${inFlight} transfer POST(s) unanswered, back in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
      };
      return [
        { atMs: 3_000, action: killAndRestart(0) },
        { atMs: 10_000, action: killAndRestart(1) },
      ];
    },
  },
  {
    id: 'b',
    name: 'Temporal SIGKILL',
    fault: 'SIGKILL the dev server (SQLite file), start it again on the same file 3 s later',
    during(ctx) {
      return [
        {
          atMs: 5_000,
          action: async () => {
            const pid = ctx.temporal.server.pid;
            const killedAt = Date.now();
            if (pid) process.kill(pid, 'SIGKILL');
            await pause(3_000);
            await ctx.temporal.restart();
            ctx.note(`dev server unreachable for ${((Date.now() - killedAt) / 1000).toFixed(1)} s (3 s down, then its own start-up)`);
          },
        },
      ];
    },
  },
];
