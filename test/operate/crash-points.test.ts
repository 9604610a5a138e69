import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TransferCallWorkflow, TransferRequest, TransferResult } from '../../src/contracts';
import { TRANSFER_WORKFLOW_TYPE, transferWorkflowId } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { createDataConverter, failureConverterPathFor, workflowBundleVariant } from '../../src/temporal/data-converter';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import { WORKFLOWS_PATH } from '../../src/temporal/worker';
import { HOLD_MESSAGE } from '../../src/workflows/transfer/describe';
import { transferRequest } from '../support/factories';
import type { CrashableWorker } from '../support/faults/crash-worker';
import { startCrashableWorker } from '../support/faults/crash-worker';
import { uniqueTaskQueue } from '../support/temporal';

/**
 * The crash-point matrix: a worker process SIGKILLed at each named point of a transfer's POST, another worker
 * process taking over. Each case must end in exactly one transfer POST per destination, or in an explicit
 * `unknown` with the caller asked to hold — never two POSTs of one transfer, never a caller left in silence.
 */

const KEY = randomBytes(32);
const KEYS = `crash:${KEY.toString('base64')}`;

let control: FakeControlServer;
let client: Client;
let bundleDir: string;
let vapi: { url: string; answers: Map<string, string>; close: () => Promise<void> };
const processes: ChildProcess[] = [];

/** A stand-in for Vapi's API, answering `GET /call/{id}` with the status the test set for that call. */
async function startVapiApi(): Promise<typeof vapi> {
  const answers = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const match = /^\/call\/([^/?]+)/.exec(req.url ?? '');
    const id = match ? decodeURIComponent(match[1]!) : '';
    const status = answers.get(id);
    if (!status) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, orgId: 'org', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), status }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, answers, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

beforeAll(async () => {
  control = await startFakeControlServer();
  vapi = await startVapiApi();
  const codec = new AesGcmPayloadCodec([{ id: 'crash', key: KEY }]);
  client = new Client({ connection: await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! }), dataConverter: createDataConverter(codec) });
  // One prebuilt bundle for every process of this file: each would otherwise bundle for seconds at start.
  bundleDir = mkdtempSync(path.join(tmpdir(), 'switchboard-crash-'));
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: failureConverterPathFor(true) });
  writeFileSync(workflowBundleVariant(path.join(bundleDir, 'bundle.js'), true), code);
}, 120_000);

afterAll(async () => {
  for (const child of processes) child.kill('SIGKILL');
  await client?.connection.close();
  await control?.close();
  await vapi?.close();
  rmSync(bundleDir, { recursive: true, force: true });
});

/** `start:worker` as its own process on `taskQueue`; resolves once it polls. */
function startWorker(taskQueue: string, options: { crashAt?: string; vapiApi: boolean }): Promise<CrashableWorker> {
  return startCrashableWorker(taskQueue, {
    processes,
    ...(options.crashAt ? { crashAt: options.crashAt } : {}),
    env: {
      PAYLOAD_ENCRYPTION_KEYS: KEYS,
      WORKFLOW_BUNDLE_PATH: path.join(bundleDir, 'bundle.js'),
      ...(options.vapiApi ? { VAPI_API_KEY: 'test-key', VAPI_BASE_URL: vapi.url } : { VAPI_API_KEY: '' }),
    },
  });
}

const transfers = (callId: string) => control.commandsFor(callId).filter((command) => (command.body as { type: string }).type === 'transfer');
const kinds = (callId: string) => control.commandsFor(callId).map((command) => (command.body as { type: string }).type);

/**
 * Starts a transfer on a worker that dies at `crash`, then starts a second worker; resolves with the result.
 * `crash` is a point inside the process (`before-post`, `after-answer`) or `after-write`: the control server
 * holds the transfer's answer and the test kills the process once the request has arrived.
 */
async function crashAt(crash: 'before-post' | 'after-write' | 'after-answer' | 'during-fallback', request: TransferRequest, options: { vapiApi: boolean }): Promise<TransferResult> {
  const taskQueue = uniqueTaskQueue('crash');
  const inside = crash === 'before-post' || crash === 'after-answer';
  const first = await startWorker(taskQueue, { vapiApi: options.vapiApi, ...(inside ? { crashAt: crash } : {}) });
  const handle = await client.workflow.start<TransferCallWorkflow>(TRANSFER_WORKFLOW_TYPE, { workflowId: transferWorkflowId(request.callId, request.toolCallId), taskQueue, args: [request] });
  if (crash === 'after-write' || crash === 'during-fallback') {
    await control.waitForCommands(request.callId, crash === 'after-write' ? 1 : 2, 60_000);
    first.process.kill('SIGKILL');
  }
  await first.exited;
  const second = await startWorker(taskQueue, { vapiApi: options.vapiApi });
  try {
    return await handle.result();
  } finally {
    second.process.kill('SIGTERM');
    await second.exited;
  }
}

describe('a worker process killed around the transfer POST', () => {
  beforeEach(() => control.respondWith(() => ({ status: 200, body: {} })));

  it('before the POST (nothing recorded, nothing written): the next worker sends it at once, exactly one POST', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const result = await crashAt('before-post', request, { vapiApi: false });

    expect(result.outcome).toBe('transfer-initiated');
    expect(kinds(request.callId)).toEqual(['transfer']);
  }, 90_000);

  it('after the request was written, before its answer, without VAPI_API_KEY: never resent; the caller is asked to hold; outcome unknown', async () => {
    control.respondWith((command) => ((command.body as { type: string }).type === 'transfer' ? { status: 200, delayMs: 60_000 } : { status: 200 }));
    const request = transferRequest({ controlBaseUrl: control.baseUrl });

    const result = await crashAt('after-write', request, { vapiApi: false });

    expect(result.outcome).toBe('unknown');
    expect(kinds(request.callId)).toEqual(['transfer', 'say']);
    expect(control.commandsFor(request.callId)[1]!.body).toEqual({ type: 'say', content: HOLD_MESSAGE });
  }, 90_000);

  it('after the request was written, before its answer, with VAPI_API_KEY: Vapi says the call is forwarding, so it is transferred with one POST', async () => {
    control.respondWith((command) => ((command.body as { type: string }).type === 'transfer' ? { status: 200, delayMs: 60_000 } : { status: 200 }));
    const request = transferRequest({ controlBaseUrl: control.baseUrl, warmDialSeconds: 30 });
    vapi.answers.set(request.callId, 'forwarding');

    const result = await crashAt('after-write', request, { vapiApi: true });

    expect(result.outcome).toBe('transferred');
    expect(transfers(request.callId)).toHaveLength(1);
  }, 90_000);

  it('after the answer, before the task completed: the doubt is settled by Vapi, one POST', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, warmDialSeconds: 30 });
    vapi.answers.set(request.callId, 'forwarding');

    const result = await crashAt('after-answer', request, { vapiApi: true });

    expect(result.outcome).toBe('transferred');
    expect(transfers(request.callId)).toHaveLength(1);
  }, 90_000);

  it('during a fallback: the fallback POST is never sent twice, one POST per destination', async () => {
    const request = transferRequest({ controlBaseUrl: control.baseUrl, department: 'support', customerId: undefined, callerNumber: undefined, outcomeTimeoutSeconds: 30 });
    // The first agent does not pick up: the caller is with the assistant again, so the next agent is tried.
    vapi.answers.set(request.callId, 'in-progress');
    control.respondWith((command) => {
      if ((command.body as { type: string }).type !== 'transfer') return { status: 200 };
      if (transfers(request.callId).length === 2) {
        vapi.answers.set(request.callId, 'forwarding');
        return { status: 200, delayMs: 60_000 };
      }
      return { status: 200 };
    });

    const result = await crashAt('during-fallback', request, { vapiApi: true });

    expect(result).toMatchObject({ outcome: 'transferred', decision: { decidedBy: 'fallback' } });
    const posted = transfers(request.callId).map((command) => JSON.stringify((command.body as { destination: unknown }).destination));
    expect(posted).toHaveLength(2);
    expect(new Set(posted).size).toBe(2);
  }, 120_000);
});

