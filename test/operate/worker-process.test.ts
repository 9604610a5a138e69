import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TRANSFER_WORKFLOW_TYPE } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { testDataConverter, testEncryptionEnv } from '../support/encryption';
import { transferRequest } from '../support/factories';
import { uniqueTaskQueue } from '../support/temporal';

const ROOT = path.resolve(__dirname, '../..');

let control: FakeControlServer;
let client: Client;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  control = await startFakeControlServer();
  client = new Client({ connection: await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! }), dataConverter: testDataConverter() });
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  await client?.connection.close();
  await control?.close();
});

/** `npm run start:worker` as its own process; resolves with the URL of its /metrics once it polls. */
function startWorkerProcess(taskQueue: string): Promise<{ process: ChildProcess; metricsUrl: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/temporal/main-worker.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_TASK_QUEUE: taskQueue,
      METRICS_PORT: '0',
      CONTROL_URL_ALLOWED_HOSTS: '127.0.0.1',
      SHUTDOWN_GRACE_SECONDS: '10',
      LOG_LEVEL: 'info',
      ...testEncryptionEnv(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const polling = buffered.split('\n').find((line) => line.includes('"worker polling"'));
      if (polling) resolve({ process: child, metricsUrl: (JSON.parse(polling) as { metrics: string }).metrics, exited });
    });
    void exited.then((code) => reject(new Error(`worker exited early with ${code}: ${buffered}`)));
  });
}

describe('a worker process (npm run start:worker)', () => {
  it('serves /metrics with Switchboard and Temporal SDK families, and on SIGTERM finishes the transfer it is sending before exiting 0', async () => {
    const taskQueue = uniqueTaskQueue('drain');
    const started = await startWorkerProcess(taskQueue);
    worker = started.process;

    const metrics = await (await fetch(started.metricsUrl)).text();
    expect(metrics).toMatch(/^switchboard_process_cpu_seconds_total /m);
    expect(metrics).toMatch(/^# HELP switchboard_transfers_total /m);
    expect(metrics).toMatch(/^temporal_/m);

    // The control server takes 2 s to answer: SIGTERM lands while the transfer POST is in flight.
    control.respondWith(() => ({ status: 200, body: {}, delayMs: 2_000 }));
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 1 });
    const handle = await client.workflow.start(TRANSFER_WORKFLOW_TYPE, { workflowId: `drain-${request.callId}`, taskQueue, args: [request] });
    await control.waitForCommands(request.callId, 1, 30_000);
    worker.kill('SIGTERM');

    expect(await started.exited).toBe(0);
    const history = await handle.fetchHistory();
    const completed = history.events!.filter((event) => event.activityTaskCompletedEventAttributes);
    const scheduled = history.events!.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'executeTransfer');
    expect(scheduled).toHaveLength(1);
    const transferEventId = scheduled[0]!.eventId!.toString();
    expect(completed.some((event) => event.activityTaskCompletedEventAttributes!.scheduledEventId!.toString() === transferEventId)).toBe(true);
    expect(control.commandsFor(request.callId)).toHaveLength(1);
    await handle.terminate('test cleanup');
  }, 60_000);
});
