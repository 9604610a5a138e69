import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import request from 'supertest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { AppDeps } from '../../src/api/app';
import type { ContactCenter } from '../../src/config/contact-center';
import { loadContactCenter, rosterOf } from '../../src/config/contact-center';
import { DEFAULT_ROUTING_CONFIG } from '../../src/config/env';
import { playCallbacks } from '../../src/dev/callback-player';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { TemporalFloorClient } from '../../src/integrations/floor-client';
import { createDataConverter, failureConverterPathFor, workflowBundleVariant } from '../../src/temporal/data-converter';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import { WORKFLOWS_PATH } from '../../src/temporal/worker';
import { parseAllowedHosts } from '../../src/vapi/control-url';
import { callbackInput, startCallback } from '../support/callbacks';
import type { CrashableWorker } from '../support/faults/crash-worker';
import { startCrashableWorker } from '../support/faults/crash-worker';
import { uniqueTaskQueue } from '../support/temporal';
import { appWith } from '../support/test-app';
import type { FakeVapiApi } from '../support/vapi-api';
import { TEST_PHONE_NUMBER_ID, TEST_VAPI_KEY, vapiApiStandIn } from '../support/vapi-api';

/**
 * A call back must be placed once per attempt whatever happens to the worker placing it: worker processes
 * (`start:worker`) SIGKILLed after the callback decided to place its call, before and after `POST /call`, and
 * another worker process taking over. Vapi is played by the stand-in for its API and a webhook in this process.
 */

const KEY = randomBytes(32);
const KEYS = `crash:${KEY.toString('base64')}`;

let control: FakeControlServer;
let vapi: FakeVapiApi;
let client: Client;
let dir: string;
let routingFile: string;
let center: ContactCenter;
const processes: ChildProcess[] = [];

/** The demo routing file with every office open around the clock: the crash, not the time of day, is under test. */
function alwaysOpenRoutingFile(file: string): void {
  const routing = parseYaml(readFileSync(DEFAULT_ROUTING_CONFIG, 'utf8')) as { offices: Record<string, { hours: Record<string, string>; holidays: string[] }> };
  for (const office of Object.values(routing.offices)) Object.assign(office, { hours: { 'mon-sun': '00:00-24:00' }, holidays: [] });
  writeFileSync(file, stringifyYaml(routing));
}

beforeAll(async () => {
  control = await startFakeControlServer();
  vapi = (await vapiApiStandIn(control.baseUrl)).api;
  const codec = new AesGcmPayloadCodec([{ id: 'crash', key: KEY }]);
  client = new Client({ connection: await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! }), dataConverter: createDataConverter(codec) });
  dir = mkdtempSync(path.join(tmpdir(), 'switchboard-callback-crash-'));
  routingFile = path.join(dir, 'routing.yaml');
  alwaysOpenRoutingFile(routingFile);
  center = loadContactCenter(routingFile);
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: failureConverterPathFor(true), logger: new DefaultLogger('ERROR') });
  writeFileSync(workflowBundleVariant(path.join(dir, 'bundle.js'), true), code);
  // Vapi plays the callee: every call placed is answered, and its transfer to the agent reported forwarding.
  const { app } = appWith({ workflowClient: client.workflow as unknown as AppDeps['workflowClient'], callbacks: true, allowedHosts: parseAllowedHosts(['127.0.0.1']), now: () => new Date() });
  const player = playCallbacks({ api: vapi, post: async (body) => (await request(app).post('/webhook').send(body as object)).status });
  control.respondWith((command) => {
    player.controlReceived(command);
    return { status: 200, body: {} };
  });
}, 120_000);

afterAll(async () => {
  for (const child of processes) child.kill('SIGKILL');
  await client?.connection.close();
  await control?.close();
  await vapi?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `start:worker` as its own process on `taskQueue`, placing calls through the stand-in; resolves once it polls. */
function startWorker(taskQueue: string, crashAt?: 'before-place' | 'after-place'): Promise<CrashableWorker> {
  return startCrashableWorker(taskQueue, {
    processes,
    ...(crashAt ? { crashAt } : {}),
    env: {
      PAYLOAD_ENCRYPTION_KEYS: KEYS,
      WORKFLOW_BUNDLE_PATH: path.join(dir, 'bundle.js'),
      ROUTING_CONFIG: routingFile,
      VAPI_API_KEY: TEST_VAPI_KEY,
      VAPI_BASE_URL: vapi.baseUrl,
      VAPI_PHONE_NUMBER_ID: TEST_PHONE_NUMBER_ID,
    },
  });
}

/** A callback whose worker dies at `crash`; a second worker takes over. Resolves with its result and what Vapi's API was asked. */
async function crashWhilePlacing(crash: 'before-place' | 'after-place') {
  const taskQueue = uniqueTaskQueue('callback-crash');
  const before = vapi.requests.length;
  const first = await startWorker(taskQueue, crash);
  const floor = new TemporalFloorClient(client.workflow, taskQueue, () => rosterOf(center));
  const input = callbackInput(center);
  const handle = await startCallback(client, taskQueue, floor, input);
  expect(await first.exited).toBe(null); // SIGKILL
  const second = await startWorker(taskQueue);
  try {
    const result = await handle.result();
    const requests = vapi.requests.slice(before);
    return { result, requests, creates: requests.filter((entry) => entry.method === 'POST' && entry.path === '/call'), calls: vapi.calls.filter((call) => JSON.stringify(call).includes(input.callbackId)) };
  } finally {
    second.process.kill('SIGTERM');
    await second.exited;
  }
}

describe('a worker process killed while it places a call back', () => {
  it('after the callback decided to place it and before POST /call: the next worker asks Vapi first, finds none, and places it once', async () => {
    const { result, requests, creates, calls } = await crashWhilePlacing('before-place');

    expect(result).toMatchObject({ outcome: 'transferred', placed: 1 });
    expect(creates).toHaveLength(1);
    expect(calls).toHaveLength(1);
    const asked = requests.findIndex((entry) => entry.method === 'GET' && entry.path === '/call');
    const placed = requests.findIndex((entry) => entry.method === 'POST');
    expect(asked).toBeGreaterThanOrEqual(0);
    expect(asked).toBeLessThan(placed);
  }, 120_000);

  it('after Vapi made the call and before the worker could record it: the next worker finds the call in Vapi and places none', async () => {
    const { result, creates, calls } = await crashWhilePlacing('after-place');

    expect(result).toMatchObject({ outcome: 'transferred', placed: 1 });
    expect(creates).toHaveLength(1);
    expect(calls).toHaveLength(1);
  }, 120_000);
});
