import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { FakeVapi, VapiAnswer, VapiResponder } from '../bench/harness/fake-vapi';
import type { ManagedProcess } from '../bench/harness/processes';
import { HOLD_MESSAGE } from '../src/workflows/transfer/describe';
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
  /** Load of this scenario when it is fixed by what it reproduces; else the run's --rate and --duration. */
  rate?: number;
  durationSeconds?: number;
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

/** The process that holds the client side of a connection to the control URL, from the socket table (null if unknown). */
function senderPid(remotePort: number | undefined): number | null {
  if (!remotePort) return null;
  try {
    const rows = execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${remotePort} )`], { encoding: 'utf8', timeout: 2_000 });
    const pid = /pid=(\d+)/.exec(rows)?.[1];
    return pid ? Number(pid) : null;
  } catch {
    return null;
  }
}

/** Workers as an operator without a Vapi private key runs them: no VAPI_API_KEY, no API to ask. */
const WITHOUT_VAPI_API = { VAPI_API_KEY: undefined, VAPI_BASE_URL: undefined };
const NO_KEY_WARNING = /VAPI_API_KEY is unset/;

/** Stops and starts each worker in turn (the other keeps serving), with `env` on top of the stack's. */
async function rollingRestart(ctx: ChaosContext, env: Record<string, string | undefined>): Promise<void> {
  for (const index of ctx.switchboard.workers.map((_, i) => i)) {
    await ctx.switchboard.workers[index]!.stop();
    await ctx.switchboard.restartWorker(index, { env });
  }
}

/** The worker runs without Vapi's API: it said so at start (a worker with a key says nothing of the kind). */
async function assertNoVapiApi(worker: ManagedProcess): Promise<void> {
  await worker.waitForOutput(NO_KEY_WARNING, 10_000).catch(() => {
    throw new Error(`${worker.name} did not say it runs without VAPI_API_KEY`);
  });
}

/**
 * (k): workers without VAPI_API_KEY, SIGKILLed around their transfer POSTs for the whole load. Each kill waits
 * for the next transfer POST sent by the worker whose turn it is (the sender read from the socket table), kills
 * that worker while the answer is held, and starts it again; the next kill is the other worker's. Vapi acts on
 * the POST that triggered every odd kill (its answer is lost with the worker); the even ones it drops with the
 * connection, unanswered, so Switchboard cannot know either way and, without Vapi's API, must not send again.
 * Every other transfer POST is acted on and answered after a 400 ms hold, so the killed worker has more in flight.
 */
function workerKillsWithoutApi(): Scenario {
  const durationSeconds = 30;
  const holdMs = 400;
  return {
    id: 'k',
    name: 'worker SIGKILL around the POST, no VAPI_API_KEY',
    fault: `workers without VAPI_API_KEY; for the whole ${durationSeconds} s, SIGKILL the worker that sent the next transfer POST (worker 1, then 2, alternately) while its answer is held, start it again; Vapi acts on the POST of every other kill and drops the rest`,
    rate: 3,
    durationSeconds,
    async before(ctx) {
      await rollingRestart(ctx, WITHOUT_VAPI_API);
      await Promise.all(ctx.switchboard.workers.map(assertNoVapiApi));
    },
    during(ctx) {
      const startAt = 500;
      // Transfer POSTs whose answer is still held, by sender: what else each kill cuts off.
      const held: { pid: number | null; until: number }[] = [];
      const hold = (pid: number | null): VapiAnswer => {
        held.push({ pid, until: Date.now() + holdMs });
        return { status: 200, body: {}, delayMs: holdMs };
      };
      const isTransfer = (command: { body: unknown }) => (command.body as { type?: string })?.type === 'transfer';
      const answerAll: VapiResponder = (command) => (isTransfer(command) ? hold(senderPid(command.remotePort)) : realistic());
      return [
        {
          atMs: startAt,
          action: async () => {
            const endAt = Date.now() + durationSeconds * 1000 - startAt;
            const kills: { worker: number; acted: boolean; identified: boolean; alsoCut: number; downMs: number }[] = [];
            ctx.vapi.answerWith(answerAll);
            for (let index = 0; Date.now() < endAt; index = 1 - index) {
              const worker = ctx.switchboard.workers[index]!;
              const acted = kills.length % 2 === 0;
              const fired = await new Promise<{ identified: boolean; alsoCut: number } | null>((resolve) => {
                const giveUp = setTimeout(() => {
                  ctx.vapi.answerWith(answerAll);
                  resolve(null);
                }, Math.max(0, endAt - Date.now()));
                ctx.vapi.answerWith((command) => {
                  if (!isTransfer(command)) return realistic();
                  const pid = senderPid(command.remotePort);
                  if (pid !== null && pid !== worker.pid) return hold(pid);
                  clearTimeout(giveUp);
                  ctx.vapi.answerWith(answerAll);
                  const alsoCut = held.filter((post) => post.pid === worker.pid && post.until > Date.now()).length;
                  setImmediate(() => {
                    worker.kill('SIGKILL');
                    resolve({ identified: pid !== null, alsoCut });
                  });
                  // Dropped: never answered in time, so whoever sent it cannot tell (and the sender is killed anyway).
                  return acted ? hold(pid) : { status: 200, body: {}, delayMs: 8_000, acted: false };
                });
              });
              if (!fired) break;
              const killedAt = Date.now();
              await worker.exited;
              await pause(500);
              const replacement = await ctx.switchboard.restartWorker(index, { env: WITHOUT_VAPI_API });
              await assertNoVapiApi(replacement);
              kills.push({ worker: index + 1, acted, identified: fired.identified, alsoCut: fired.alsoCut, downMs: Date.now() - killedAt });
            }
            ctx.vapi.answerWith(realistic);
            const down = kills.map((kill) => kill.downMs / 1000);
            ctx.note(
              `${kills.length} SIGKILLs around a transfer POST (worker 1 ×${kills.filter((kill) => kill.worker === 1).length}, worker 2 ×${kills.filter((kill) => kill.worker === 2).length}; ` +
                `${kills.filter((kill) => kill.acted).length} of the killing POSTs acted on by Vapi, ${kills.filter((kill) => !kill.acted).length} dropped; ` +
                `sender read from the socket table for ${kills.filter((kill) => kill.identified).length}; ` +
                `${kills.reduce((total, kill) => total + kill.alsoCut, 0)} more transfer POSTs of the killed worker in flight, acted on, at the kills; ` +
                `each worker back polling ${down.length ? `${Math.min(...down).toFixed(1)}–${Math.max(...down).toFixed(1)}` : '–'} s after its kill)`,
            );
          },
        },
      ];
    },
    async after(ctx) {
      // A caller held with no transfer POST ever received: its worker died after recording the POST as leaving
      // (the heartbeat marker), before the request reached the control URL. As unknown as a dropped one.
      const received = ctx.vapi.control.received;
      const withTransfer = new Set(received.filter((command) => (command.body as { type?: string })?.type === 'transfer').map((command) => command.callId));
      const heldOnly = new Set(received.filter((command) => (command.body as { content?: unknown })?.content === HOLD_MESSAGE && !withTransfer.has(command.callId)).map((command) => command.callId));
      ctx.note(`${heldOnly.size} held caller(s) whose transfer POST never reached the control URL (worker killed after recording it as leaving)`);
      const lookups = ctx.vapi.statusLookups();
      // Restored before any check can throw, so the scenarios after this one run with Vapi's API again.
      await rollingRestart(ctx, {});
      if (lookups > 0) throw new Error(`Vapi's API was asked ${lookups} time(s) by workers that have no VAPI_API_KEY`);
      ctx.note("Vapi's API asked 0 times (workers without VAPI_API_KEY)");
    },
  };
}

/**
 * (l): a gateway in front of the control URL answers 502 and 504 to every command for 10 s, then recovers.
 * Vapi's API is available (the stack's workers have VAPI_API_KEY) and tells the truth: `forwarding` only for
 * calls it acted on a transfer for. Of the transfer POSTs in the window, answered 502, 504, 502, 504, … in turn,
 * the first two of every four were taken by Vapi before the gateway failed (acted: the answer lost), the next two
 * were not (the call stays `in-progress`): so a resend after the dial time is right for half and a double for
 * the other half. `say` commands meet the same gateway (in their own turn), so some holds are not heard.
 */
function gatewayErrors(): Scenario {
  const faultMs = 10_000;
  return {
    id: 'l',
    name: 'control URL 502/504 then recovers',
    fault: `for ${faultMs / 1000} s every control request is answered 502 or 504 in turn (504 after 1 s); Vapi acted on half of those transfers (answer lost) and not on the other half; then 200; Vapi's API available and truthful`,
    rate: 3,
    durationSeconds: 20,
    during(ctx) {
      const turns = new Map<string, number>();
      const seen = { actedTransfers: 0, droppedTransfers: 0, says: 0 };
      const droppedCalls = new Set<string>();
      return [
        {
          atMs: 4_000,
          action: async () => {
            ctx.vapi.answerWith((command) => {
              const type = String((command.body as { type?: string })?.type);
              const turn = turns.get(type) ?? 0;
              turns.set(type, turn + 1);
              const acted = Math.floor(turn / 2) % 2 === 0;
              if (type === 'transfer') {
                if (acted) seen.actedTransfers += 1;
                else {
                  seen.droppedTransfers += 1;
                  droppedCalls.add(command.callId);
                }
              } else seen.says += 1;
              return turn % 2 === 0
                ? { status: 502, body: { message: 'Bad Gateway' }, delayMs: CONTROL_LATENCY_MS, acted }
                : { status: 504, body: { message: 'Gateway Timeout' }, delayMs: 1_000, acted };
            });
          },
        },
        {
          atMs: 4_000 + faultMs,
          action: async () => {
            ctx.vapi.answerWith(realistic);
            ctx.note(
              `in the window: ${seen.actedTransfers + seen.droppedTransfers} transfer POSTs answered 502/504, ${seen.actedTransfers} acted on by Vapi and ${seen.droppedTransfers} not; ${seen.says} other commands answered 502/504`,
            );
          },
        },
        {
          // Long after the window: a dropped transfer is sent again only after the dial time (30 s) and Vapi's word.
          atMs: 4_000 + faultMs + 1,
          action: async () => {
            const deadline = Date.now() + 80_000;
            const transfersOf = (callId: string) => ctx.vapi.commands().filter((command) => command.callId === callId && command.type === 'transfer').length;
            while (Date.now() < deadline && [...droppedCalls].some((callId) => transfersOf(callId) === 0)) await pause(500);
            const resent = [...droppedCalls].filter((callId) => transfersOf(callId) === 1).length;
            ctx.note(`${resent} of the ${droppedCalls.size} calls whose transfer Vapi did not act on were sent again and transferred once`);
          },
        },
      ];
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
  gatewayErrors(),
  // Last: it restarts both workers without Vapi's API (and back with it afterwards).
  workerKillsWithoutApi(),
];
