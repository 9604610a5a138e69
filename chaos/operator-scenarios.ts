import type { FakeVapi } from '../bench/harness/fake-vapi';
import type { ManagedProcess } from '../bench/harness/processes';
import { DEFAULT_PORTS } from './operator-stack';
import type { OperatorStack } from './operator-stack';

export interface OperatorContext {
  stack: OperatorStack;
  vapi: FakeVapi;
  note(text: string): void;
}

/**
 * A fault as an operator meets it: every process started with the README's own commands on the default
 * ports (see OperatorStack), a stack of its own per scenario.
 */
export interface OperatorScenario {
  id: string;
  name: string;
  fault: string;
  /** Load of this scenario when it is fixed by what it reproduces; else the run's --rate and --duration. */
  rate?: number;
  durationSeconds?: number;
  /** Starts whatever runs before the load. */
  before(ctx: OperatorContext): Promise<void>;
  during?(ctx: OperatorContext): { atMs: number; action: () => Promise<void> }[];
  /** Checks what the scenario is about (throws to fail it) and notes what was seen. */
  after?(ctx: OperatorContext): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function readyz(): Promise<{ status: number; ms: number; reason?: string }> {
  const startedAt = performance.now();
  try {
    const response = await fetch(`http://127.0.0.1:${DEFAULT_PORTS.api}/readyz`, { signal: AbortSignal.timeout(5_000) });
    const body = (await response.json()) as { reason?: string };
    return { status: response.status, ms: performance.now() - startedAt, ...(body.reason ? { reason: body.reason } : {}) };
  } catch (error) {
    return { status: 0, ms: performance.now() - startedAt, reason: error instanceof Error ? error.message : String(error) };
  }
}

async function untilReady(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await readyz();
  while (last.status !== 200) {
    if (Date.now() > deadline) throw new Error(`the API did not become ready within ${seconds(timeoutMs)} (last: ${last.status} ${last.reason ?? ''})`);
    await pause(250);
    last = await readyz();
  }
}

const polling = (worker: ManagedProcess, timeoutMs = 120_000) => worker.waitForOutput(/"worker polling"/, timeoutMs);

/** Which worker took METRICS_PORT and which fell back, from their own log lines. */
function metricsPorts(stack: OperatorStack): string {
  return stack.workers
    .map((worker, index) => {
      // The in-memory tail has the newest lines; the log file has the oldest (its writes may lag a moment).
      const line = `${worker.outputTail()}\n${stack.output(worker)}`.split('\n').find((text) => text.includes('"worker polling"'));
      const port = line ? new URL((JSON.parse(line) as { metrics: string }).metrics).port : '?';
      return `worker ${index + 1} /metrics on ${port}${port === String(DEFAULT_PORTS.metrics) ? ' (METRICS_PORT)' : ' (fell back)'}`;
    })
    .join(', ');
}

/** Every worker started is still running: none died at start or under the fault. */
function assertWorkersRunning(stack: OperatorStack): void {
  stack.workers.forEach((worker, index) => {
    if (worker.hasExited()) throw new Error(`worker ${index + 1} exited:\n${worker.outputTail().slice(-600)}`);
  });
}

/** The README's order: the dev server, two workers with defaults, the API; resolves once the API is ready. */
async function fullStack(ctx: OperatorContext): Promise<void> {
  await ctx.stack.startTemporal();
  const workers = [ctx.stack.startWorker(0), ctx.stack.startWorker(1)];
  ctx.stack.startApi();
  await Promise.all(workers.map((worker) => polling(worker)));
  await untilReady(60_000);
}

export const OPERATOR_SCENARIOS: OperatorScenario[] = [
  {
    id: 'g',
    name: 'two workers, one host, defaults',
    fault: 'npm run start:temporal, two npm run start:worker with default settings (one METRICS_PORT), npm run start:api',
    before: fullStack,
    async after(ctx) {
      assertWorkersRunning(ctx.stack);
      ctx.note(metricsPorts(ctx.stack));
    },
  },
  (() => {
    let serverBackAt = 0;
    return {
      id: 'h',
      name: 'worker restarted while the server is down',
      fault: 'SIGKILL the dev server; 1 s later SIGKILL worker 1 and npm run start:worker again; npm run start:temporal 3 s after that',
      before: fullStack,
      during(ctx: OperatorContext) {
        return [
          {
            atMs: 3_000,
            action: async () => {
              const killedAt = Date.now();
              ctx.stack.killDevServer();
              await pause(1_000);
              ctx.stack.killWorker(0);
              const restarted = ctx.stack.startWorker(0);
              await pause(3_000);
              await ctx.stack.startTemporal();
              serverBackAt = Date.now();
              ctx.note(`dev server unreachable for ${seconds(serverBackAt - killedAt)}`);
              await polling(restarted);
              ctx.note(`worker 1, restarted while the server was down, polling ${seconds(Date.now() - serverBackAt)} after the server was back`);
            },
          },
        ];
      },
      async after(ctx: OperatorContext) {
        assertWorkersRunning(ctx.stack);
      },
    };
  })(),
  {
    id: 'i',
    name: 'API started before the server',
    fault: 'npm run start:api and two npm run start:worker first; load starts; npm run start:temporal 2 s into it',
    async before(ctx) {
      const api = ctx.stack.startApi();
      ctx.stack.startWorker(0);
      ctx.stack.startWorker(1);
      await api.waitForOutput(/"api listening"/, 60_000);
      await api.waitForOutput(/is not reachable yet/, 30_000);
      const waiting = await readyz();
      ctx.note(`/readyz while the server was not there: ${waiting.status} in ${waiting.ms.toFixed(0)} ms ("${waiting.reason ?? ''}")`);
      if (waiting.status !== 503 || waiting.ms >= 1_000) throw new Error(`/readyz answered ${waiting.status} in ${waiting.ms.toFixed(0)} ms; expected 503 within 1 s`);
    },
    during(ctx) {
      return [
        {
          atMs: 2_000,
          action: async () => {
            const startedAt = Date.now();
            await ctx.stack.startTemporal();
            await untilReady(60_000);
            ctx.note(`API ready ${seconds(Date.now() - startedAt)} after npm run start:temporal`);
          },
        },
      ];
    },
    async after(ctx) {
      assertWorkersRunning(ctx.stack);
      if (ctx.stack.api?.hasExited()) throw new Error('the API exited');
    },
  },
  {
    id: 'j',
    name: "the operators' fault run",
    fault: 'under 15 webhooks/s: SIGKILL worker 1, npm run start:worker again 2 s later, SIGKILL the dev server 1 s after that and npm run start:temporal again',
    rate: 15,
    durationSeconds: 10,
    before: fullStack,
    during(ctx) {
      return [
        {
          atMs: 2_000,
          action: async () => {
            ctx.stack.killWorker(0);
            await pause(2_000);
            const restarted = ctx.stack.startWorker(0);
            await pause(1_000);
            const killedAt = Date.now();
            ctx.stack.killDevServer();
            await ctx.stack.temporal?.exited;
            await ctx.stack.startTemporal();
            ctx.note(`dev server unreachable for ${seconds(Date.now() - killedAt)}`);
            await polling(restarted);
            ctx.note(`restarted worker 1 polling ${seconds(Date.now() - killedAt)} after the dev server was killed; ${metricsPorts(ctx.stack)}`);
          },
        },
      ];
    },
    async after(ctx) {
      assertWorkersRunning(ctx.stack);
    },
  },
];
