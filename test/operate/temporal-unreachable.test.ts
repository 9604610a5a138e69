import net from 'node:net';
import path from 'node:path';
import { spawnNpmScript, spawnProcess } from '../../bench/harness/processes';
import type { ManagedProcess } from '../../bench/harness/processes';
import { startDevServer } from '../../src/dev/dev-server';
import type { DevServer } from '../../src/dev/dev-server';
import { temporalCliPath } from '../../src/dev/temporal-binaries';
import { freePort } from '../../src/temporal/free-port';
import { testEncryptionEnv } from '../support/encryption';
import { uniqueTaskQueue } from '../support/temporal';

// Start order is not guaranteed under compose, systemd or Kubernetes: processes started before Temporal (or
// during an outage) must wait for it, say where they are looking, and come up when it does.

const ROOT = path.resolve(__dirname, '../..');
const started: ManagedProcess[] = [];
let server: DevServer | undefined;

afterAll(async () => {
  await Promise.all(started.map((child) => child.stop(5_000)));
  await server?.stop();
});

const lines = (child: ManagedProcess, pattern: RegExp) => child.outputTail().split('\n').filter((line) => pattern.test(line));

async function readyz(port: string): Promise<{ status: number; ms: number; body: { ready: boolean; reason?: string } }> {
  const startedAt = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: response.status, ms: performance.now() - startedAt, body: (await response.json()) as { ready: boolean; reason?: string } };
}

async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * A port that forwards to the real server for half a second after it first answers (the client's connect takes
 * milliseconds; a replay bundles the workflow code for seconds before it fetches a history), then cuts every
 * connection and stops listening: a server that goes away in the middle of a command.
 */
async function serverThatLeavesAfterConnect(address: string): Promise<{ port: number }> {
  const [host, port] = address.split(':') as [string, string];
  const sockets: net.Socket[] = [];
  let answered = false;
  const proxy = net.createServer((inbound) => {
    if (answered) return void inbound.destroy();
    const outbound = net.connect(Number(port), host);
    sockets.push(inbound, outbound);
    inbound.on('error', () => undefined).pipe(outbound);
    outbound.on('error', () => undefined).on('data', (chunk: Buffer) => {
      inbound.write(chunk);
      if (answered) return;
      answered = true;
      setTimeout(() => {
        sockets.forEach((socket) => socket.destroy());
        proxy.close();
      }, 500);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { port: (proxy.address() as net.AddressInfo).port };
}

describe('processes started before Temporal', () => {
  it('two workers with the same METRICS_PORT and an API wait for the server, logging each try, then all serve once it is up', async () => {
    const temporalPort = await freePort();
    const address = `127.0.0.1:${temporalPort}`;
    const metricsPort = String(await freePort());
    const apiPort = String(await freePort());
    const env = {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('early'),
      METRICS_PORT: metricsPort,
      PORT: apiPort,
      VAPI_WEBHOOK_AUTH: 'none',
      LOG_LEVEL: 'info',
      ...testEncryptionEnv(),
    };
    const worker1 = spawnNpmScript('start:worker', { name: 'worker 1', env });
    const worker2 = spawnNpmScript('start:worker', { name: 'worker 2', env });
    const api = spawnNpmScript('start:api', { name: 'api', env });
    started.push(worker1, worker2, api);

    // Waiting: every try names the address and the variable that set it; nobody exits.
    for (const child of [worker1, worker2, api]) {
      await child.waitForOutput(/is not reachable yet; trying again/, 60_000);
      expect(lines(child, /not reachable yet/)[0]).toContain(`Temporal at ${address} (TEMPORAL_ADDRESS)`);
    }
    await api.waitForOutput(/"api listening"/, 30_000);
    const waiting = await readyz(apiPort);
    expect(waiting.status).toBe(503);
    expect(waiting.ms).toBeLessThan(1_000);
    expect(waiting.body.reason).toContain(`Temporal at ${address} (TEMPORAL_ADDRESS) is unreachable`);

    server = await startDevServer({ cliPath: temporalCliPath(), port: temporalPort, logLevel: 'error', startupTimeoutMs: 60_000 });

    await Promise.all([worker1, worker2].map((worker) => worker.waitForOutput(/"worker polling"/, 90_000)));
    const ready = await until(() => readyz(apiPort), (answer) => answer.status === 200, 30_000);
    expect(ready.body.ready).toBe(true);
    for (const child of [worker1, worker2, api]) {
      expect(child.hasExited()).toBe(false);
      expect(lines(child, /"msg":"connected to Temporal/)).toHaveLength(1);
    }
    // One worker has METRICS_PORT; the other says which port it took instead, and both serve /metrics.
    const polling = [worker1, worker2].map((worker) => JSON.parse(lines(worker, /"worker polling"/)[0]!) as { metrics: string });
    expect(polling.map((line) => new URL(line.metrics).port)).toContain(metricsPort);
    expect(lines(worker1, /METRICS_PORT/).length + lines(worker2, /METRICS_PORT/).length).toBe(1);
    expect([...lines(worker1, /METRICS_PORT/), ...lines(worker2, /METRICS_PORT/)][0]).toContain(`METRICS_PORT ${metricsPort} is in use`);
    for (const { metrics } of polling) expect((await fetch(metrics)).status).toBe(200);
  }, 180_000);

  it('a worker with TEMPORAL_CONNECT_DEADLINE_SECONDS gives up after it and exits 1, naming the address and the variable', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const worker = spawnNpmScript('start:worker', { name: 'worker with a deadline', env: { TEMPORAL_ADDRESS: address, TEMPORAL_CONNECT_DEADLINE_SECONDS: '2', METRICS_PORT: '0', ...testEncryptionEnv() } });
    started.push(worker);

    expect(await worker.exited).toBe(1);
    expect(worker.outputTail()).toContain(`worker failed: gave up connecting to Temporal at ${address} (TEMPORAL_ADDRESS)`);
    expect(worker.outputTail()).toContain('TEMPORAL_CONNECT_DEADLINE_SECONDS=2');
  }, 60_000);
});

describe('tools that cannot reach what they need', () => {
  it('npx switchboard names the Temporal address it tried and the variable that sets it', async () => {
    const closed = await freePort();
    const cli = spawnProcess(process.execPath, [path.join(ROOT, 'bin/switchboard.mjs'), 'transfers', 'list'], {
      name: 'npx switchboard',
      env: { TEMPORAL_ADDRESS: undefined, DEV_SERVER_PORT: String(closed), LOG_LEVEL: 'error' },
    });

    expect(await cli.exited).toBe(1);
    expect(cli.outputTail()).toContain(`cannot connect to Temporal at 127.0.0.1:${closed} (the local dev server on DEV_SERVER_PORT; set TEMPORAL_ADDRESS for another server)`);
  }, 60_000);

  it('npm run replay exits 1 with one line naming the address and DEV_SERVER_PORT, no stack, when the server is down or goes away after connecting', async () => {
    const closed = await freePort();
    const down = spawnNpmScript('replay', { name: 'replay (server down)', args: ['transfer-nope'], env: { TEMPORAL_ADDRESS: undefined, DEV_SERVER_PORT: String(closed), LOG_LEVEL: undefined } });
    const gone = await serverThatLeavesAfterConnect(process.env.TEMPORAL_ADDRESS!);
    const lost = spawnNpmScript('replay', { name: 'replay (server gone)', args: ['transfer-nope'], env: { TEMPORAL_ADDRESS: undefined, DEV_SERVER_PORT: String(gone.port), LOG_LEVEL: undefined } });

    expect(await down.exited).toBe(1);
    expect(await lost.exited).toBe(1);
    expect(down.outputTail().trim()).toMatch(new RegExp(`^switchboard: cannot connect to Temporal at 127\\.0\\.0\\.1:${closed} \\(the local dev server on DEV_SERVER_PORT; set TEMPORAL_ADDRESS for another server\\): [^\\n]+$`));
    expect(lost.outputTail().trim()).toMatch(new RegExp(`^switchboard: cannot reach Temporal at 127\\.0\\.0\\.1:${gone.port} \\(the local dev server on DEV_SERVER_PORT; set TEMPORAL_ADDRESS for another server\\): [^\\n]+$`));
  }, 90_000);

  it('npm run routing:explain names the Switchboard address it tried and PORT', async () => {
    const closed = await freePort();
    const explain = spawnNpmScript('routing:explain', {
      name: 'routing:explain',
      args: ['test/fixtures/vapi/tool-calls.vapi4k-inbound-phone-2024-08.json'],
      env: { PORT: String(closed), ADMIN_TOKEN: 'token' },
    });

    expect(await explain.exited).toBe(1);
    expect(explain.outputTail()).toContain(`cannot reach Switchboard at http://127.0.0.1:${closed} (PORT, or --url): ECONNREFUSED`);
  }, 60_000);
});
