import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { spawnNpmScript } from '../../bench/harness/processes';
import type { ManagedProcess } from '../../bench/harness/processes';
import { TRANSFER_WORKFLOW_TYPE } from '../../src/contracts';
import type { TransferResult } from '../../src/contracts';
import { rosterOf } from '../../src/config/contact-center';
import { TemporalFloorClient } from '../../src/integrations/floor-client';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { createDataConverter } from '../../src/temporal/data-converter';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import { eventually } from '../support/eventually';
import { demoContactCenter, transferRequest } from '../support/factories';
import { uniqueTaskQueue } from '../support/temporal';

// A key left out of one process's environment is an operator's mistake, not a bug: the worker that meets a
// payload it cannot read must say which variable and which key, and go on with the work it can do.

const keyOf = (id: string) => ({ id, key: randomBytes(32) });
const k1 = keyOf('k1');
const k2 = keyOf('k2');
const spec = (key: { id: string; key: Buffer }) => `${key.id}:${key.key.toString('base64')}`;

let connection: Connection;
let control: FakeControlServer;
const workers: ManagedProcess[] = [];
const handles: WorkflowHandle[] = [];

beforeAll(async () => {
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  control = await startFakeControlServer();
});

afterAll(async () => {
  await Promise.all(handles.map((handle) => handle.terminate('test cleanup').catch(() => undefined)));
  await Promise.all(workers.map((worker) => worker.stop(5_000)));
  await control?.close();
  await connection?.close();
});

function client(codec?: AesGcmPayloadCodec): Client {
  return new Client({ connection, dataConverter: createDataConverter(codec) });
}

/** `npm run start:worker` with these keys, or with encryption switched off (it refuses to start with neither). */
async function startWorker(name: string, taskQueue: string, keys?: string): Promise<ManagedProcess & { metricsUrl: string }> {
  const worker = spawnNpmScript('start:worker', {
    name,
    env: {
      TEMPORAL_TASK_QUEUE: taskQueue,
      METRICS_PORT: '0',
      CONTROL_URL_ALLOWED_HOSTS: '127.0.0.1',
      PAYLOAD_ENCRYPTION_KEYS: keys,
      PAYLOAD_ENCRYPTION: keys ? undefined : 'off',
      LOG_LEVEL: 'info',
    },
  });
  workers.push(worker);
  const polling = JSON.parse(await worker.waitForOutput(/"worker polling"/, 90_000)) as { metrics: string };
  return Object.assign(worker, { metricsUrl: polling.metrics });
}

async function startTransfer(by: Client, taskQueue: string): Promise<{ handle: WorkflowHandleWithFirstExecutionRunId; callId: string }> {
  const request = transferRequest({ controlBaseUrl: control.baseUrl });
  const handle = await by.workflow.start(TRANSFER_WORKFLOW_TYPE, { workflowId: `keys-${request.callId}`, taskQueue, args: [request] });
  handles.push(handle);
  return { handle, callId: request.callId };
}

/** The first failed workflow task of a run, as the Web UI's event list shows it. */
async function firstTaskFailure(handle: WorkflowHandle) {
  const failed = await eventually(
    async () => (await handle.fetchHistory()).events!.find((event) => event.workflowTaskFailedEventAttributes),
    (event) => event !== undefined,
    30_000,
  );
  expect(failed).toBeDefined();
  return failed!.workflowTaskFailedEventAttributes!.failure!;
}

describe('a worker with encryption off (PAYLOAD_ENCRYPTION=off)', () => {
  const taskQueue = uniqueTaskQueue('no-keys');
  let worker: ManagedProcess;
  beforeAll(async () => {
    worker = await startWorker('worker without keys', taskQueue, undefined);
  }, 120_000);

  it('fails a workflow task whose payloads are encrypted, naming the variable and the key id, and keeps transferring other calls', async () => {
    const encrypted = await startTransfer(client(new AesGcmPayloadCodec([k1])), taskQueue);
    const plain = await startTransfer(client(), taskQueue);

    const failure = await firstTaskFailure(encrypted.handle);
    expect(failure.message).toBe('payload was encrypted with key "k1", but PAYLOAD_ENCRYPTION_KEYS is not set on this process: give every Switchboard process the same keys');
    await worker.waitForOutput(/PAYLOAD_ENCRYPTION_KEYS is not set on this process/, 10_000);
    expect(worker.outputTail()).toMatch(/"level":50.*payload was encrypted with key \\"k1\\"/);
    await control.waitForCommands(plain.callId, 1, 30_000);
    expect(control.commandsFor(encrypted.callId)).toHaveLength(0);

    // The agent the plain transfer reached stays busy with that caller until their desktop says otherwise: it
    // does, so the next test finds the floor as it found it.
    const { decision } = (await plain.handle.result()) as TransferResult;
    const floor = new TemporalFloorClient(client().workflow, taskQueue, () => rosterOf(demoContactCenter()));
    if (decision?.agentId) expect(await floor.setStatus(decision.agentId, 'available')).toMatchObject({ type: 'agent' });
  }, 60_000);

  it('records a failed transfer with its failure message in the clear, as the Web UI event list shows it', async () => {
    const refused = transferRequest({ controlBaseUrl: control.baseUrl });
    control.respondWith((command) => (command.callId === refused.callId ? { status: 400, body: { message: 'destination refused' } } : { status: 200, body: {} }));
    const handle = await client().workflow.start(TRANSFER_WORKFLOW_TYPE, { workflowId: `keys-${refused.callId}`, taskQueue, args: [refused] });
    handles.push(handle);

    await expect(handle.result()).rejects.toThrow();

    const history = await handle.fetchHistory();
    const failure = history.events!.find((event) => event.workflowExecutionFailedEventAttributes)!.workflowExecutionFailedEventAttributes!.failure!;
    expect(failure.message).not.toBe('Encoded failure');
    expect(failure.message).toMatch(/\S/);
    expect(failure.encodedAttributes ?? null).toBeNull();
  }, 60_000);
});

describe('a worker with other PAYLOAD_ENCRYPTION_KEYS', () => {
  it('fails a workflow task whose payloads use an unknown key, naming the variable and both key ids, and keeps transferring calls it can read', async () => {
    const taskQueue = uniqueTaskQueue('other-keys');
    const worker = await startWorker('worker with key k2 only', taskQueue, spec(k2));
    const ownCodec = new AesGcmPayloadCodec([k2]);

    const foreign = await startTransfer(client(new AesGcmPayloadCodec([k1])), taskQueue);
    const own = await startTransfer(client(ownCodec), taskQueue);

    // With encryption on, failure messages are sealed too: the Web UI reads them through the codec endpoint.
    const failure = await firstTaskFailure(foreign.handle);
    const reportedLine = worker.waitForOutput(/"msg":"workflow task failed"/, 20_000);
    reportedLine.catch(() => undefined);
    expect(failure.message).toBe('Encoded failure');
    const [opened] = await ownCodec.decode([failure.encodedAttributes!]);
    expect(JSON.parse(Buffer.from(opened!.data!).toString()).message).toBe(
      'payload was encrypted with key "k1", which is not in PAYLOAD_ENCRYPTION_KEYS of this process (it has "k2"): give every Switchboard process the same keys',
    );
    await worker.waitForOutput(/which is not in PAYLOAD_ENCRYPTION_KEYS of this process/, 10_000);
    await control.waitForCommands(own.callId, 1, 30_000);
    expect(control.commandsFor(foreign.callId)).toHaveLength(0);

    // The worker's own account of the failed task: one error line with the ids and the message it sealed, and a count.
    const reported = JSON.parse(await reportedLine) as Record<string, unknown>;
    expect(reported).toMatchObject({
      level: 50,
      workflowType: TRANSFER_WORKFLOW_TYPE,
      workflowId: foreign.handle.workflowId,
      runId: foreign.handle.firstExecutionRunId,
      failure: 'payload was encrypted with key "k1", which is not in PAYLOAD_ENCRYPTION_KEYS of this process (it has "k2"): give every Switchboard process the same keys',
    });
    expect(await (await fetch(worker.metricsUrl)).text()).toMatch(/^switchboard_workflow_task_failures_total\{workflow_type="transferCall"\} [1-9]/m);
  }, 150_000);
});
