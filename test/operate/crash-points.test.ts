import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadContactCenter, rosterOf } from '../../src/config/contact-center';
import type { TransferCallWorkflow, TransferRequest, TransferResult } from '../../src/contracts';
import { TRANSFER_WORKFLOW_TYPE, transferStatusQuery, transferWorkflowId } from '../../src/contracts';
import { TemporalFloorClient } from '../../src/integrations/floor-client';
import { contactCenterYaml, generateContactCenter } from '../../bench/harness/contact-center-generator';
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

const ROOT = path.resolve(__dirname, '../..');
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
function startWorker(taskQueue: string, options: { crashAt?: string; vapiApi: boolean; env?: Record<string, string> }): Promise<CrashableWorker> {
  return startCrashableWorker(taskQueue, {
    processes,
    ...(options.crashAt ? { crashAt: options.crashAt } : {}),
    env: {
      PAYLOAD_ENCRYPTION_KEYS: KEYS,
      WORKFLOW_BUNDLE_PATH: path.join(bundleDir, 'bundle.js'),
      ...(options.vapiApi ? { VAPI_API_KEY: 'test-key', VAPI_BASE_URL: vapi.url } : { VAPI_API_KEY: '' }),
      ...options.env,
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
async function crashAt(
  crash: 'after-reserve' | 'before-post' | 'after-write' | 'after-answer' | 'during-fallback',
  request: TransferRequest,
  options: { vapiApi: boolean },
): Promise<TransferResult & { held: number }> {
  const taskQueue = uniqueTaskQueue('crash');
  const inside = crash === 'after-reserve' || crash === 'before-post' || crash === 'after-answer';
  const first = await startWorker(taskQueue, { vapiApi: options.vapiApi, ...(inside ? { crashAt: crash } : {}) });
  const handle = await client.workflow.start<TransferCallWorkflow>(TRANSFER_WORKFLOW_TYPE, { workflowId: transferWorkflowId(request.callId, request.toolCallId), taskQueue, args: [request] });
  if (crash === 'after-write' || crash === 'during-fallback') {
    await control.waitForCommands(request.callId, crash === 'after-write' ? 1 : 2, 60_000);
    first.process.kill('SIGKILL');
  }
  await first.exited;
  const second = await startWorker(taskQueue, { vapiApi: options.vapiApi });
  try {
    const result = await handle.result();
    // What the floor holds for anyone once the transfer has ended: its agent at most, never a second one.
    const floor = new TemporalFloorClient(client.workflow, taskQueue, () => rosterOf(loadContactCenter(path.join(ROOT, 'config/contact-center.yaml'))));
    const held = Object.values((await floor.liveStates()).agents).reduce((sum, agent) => sum + agent.activeTransfers, 0);
    return { ...result, held };
  } finally {
    second.process.kill('SIGTERM');
    await second.exited;
  }
}

describe('a worker process killed around the transfer POST', () => {
  beforeEach(() => control.respondWith(() => ({ status: 200, body: {} })));

  it('after the reservation, inside the first workflow task: the task runs again and the floor gives it the same agent, one agent held, one POST', async () => {
    // At 10:00 in New York, so the known agent a-ana's office is open.
    const request = transferRequest({ controlBaseUrl: control.baseUrl, routeAt: '2026-11-25T15:00:00Z' });

    const result = await crashAt('after-reserve', request, { vapiApi: false });

    expect(result).toMatchObject({ outcome: 'transfer-initiated', decision: { agentId: 'a-ana' }, held: 1 });
    expect(kinds(request.callId)).toEqual(['transfer']);
  }, 90_000);

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


describe('a worker process killed while callers wait in line', () => {
  beforeEach(() => control.respondWith(() => ({ status: 200, body: {} })));

  it('serves all five waiting callers in the rule order once agents are marked ready, none twice, after the worker running the floor and their transfers was SIGKILLed', async () => {
    // The demo routing file with billing's two us-east agents taking one call each: every ready frees one place.
    const file = parseYaml(readFileSync(path.join(ROOT, 'config/contact-center.yaml'), 'utf8')) as { agents: { id: string; maxConcurrent: number }[] };
    for (const agent of file.agents) if (agent.id === 'a-chloe') agent.maxConcurrent = 1;
    const routingConfig = path.join(bundleDir, 'one-call-each.yaml');
    writeFileSync(routingConfig, stringifyYaml(file));
    const taskQueue = uniqueTaskQueue('line-crash');
    const env = { ROUTING_CONFIG: routingConfig };
    const first = await startWorker(taskQueue, { vapiApi: false, env });
    const floor = new TemporalFloorClient(client.workflow, taskQueue, () => rosterOf(loadContactCenter(routingConfig)));
    // A standard caller of us-east at 10:00 on a Wednesday there, so only a-ana and a-chloe qualify.
    const caller = (urgency: TransferRequest['urgency']) =>
      transferRequest({ controlBaseUrl: control.baseUrl, customerId: undefined, callerNumber: '+12025550118', routeAt: '2026-11-25T15:00:00Z', receivedAt: new Date().toISOString(), urgency });
    const start = (request: TransferRequest) => client.workflow.start<TransferCallWorkflow>(TRANSFER_WORKFLOW_TYPE, { workflowId: transferWorkflowId(request.callId, request.toolCallId), taskQueue, args: [request] });
    const stageOf = async (handle: Awaited<ReturnType<typeof start>>) => (await handle.query(transferStatusQuery)).stage;
    const until = async (check: () => Promise<boolean>) => {
      for (const deadline = Date.now() + 60_000; !(await check()); ) {
        if (Date.now() > deadline) throw new Error('timed out');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };

    const busy = await Promise.all([caller('medium'), caller('medium')].map(start));
    expect(new Set((await Promise.all(busy.map((handle) => handle.result()))).map((result) => result.decision?.agentId))).toEqual(new Set(['a-ana', 'a-chloe']));
    const urgencies = ['medium', 'high', 'medium', 'high', 'medium'] as const;
    const waiting: { request: TransferRequest; handle: Awaited<ReturnType<typeof start>> }[] = [];
    for (const urgency of urgencies) {
      const request = caller(urgency);
      const handle = await start(request);
      await until(async () => (await stageOf(handle)) === 'waiting');
      waiting.push({ request, handle });
    }

    first.process.kill('SIGKILL');
    await first.exited;
    const second = await startWorker(taskQueue, { vapiApi: false, env });
    try {
      const served = () => waiting.filter(({ request }) => transfers(request.callId).length > 0).length;
      for (let round = 1; round <= waiting.length; round += 1) {
        const agentId = round % 2 === 1 ? 'a-ana' : 'a-chloe';
        // As an operator would: the floor is back once the dead worker's task has timed out.
        await until(() => floor.setStatus(agentId, 'available').then(() => true, () => false));
        await until(async () => served() >= round);
        // Ready again only once the caller has reached them: a reservation still on its way is not ended by "ready".
        await until(async () => (await Promise.all(waiting.filter(({ request }) => transfers(request.callId).length > 0).map(({ handle }) => stageOf(handle)))).every((stage) => stage === 'completed'));
      }
      const order = [...waiting].sort((a, b) => transfers(a.request.callId)[0]!.receivedAt - transfers(b.request.callId)[0]!.receivedAt);
      expect(order.map(({ request }) => request.urgency)).toEqual(['high', 'high', 'medium', 'medium', 'medium']);
      expect(order.map(({ request }) => request.callId)).toEqual([1, 3, 0, 2, 4].map((index) => waiting[index]!.request.callId));
      for (const { request, handle } of waiting) {
        expect(transfers(request.callId)).toHaveLength(1);
        expect(await handle.result()).toMatchObject({ outcome: 'transfer-initiated', decision: { decidedBy: 'line' } });
      }
    } finally {
      second.process.kill('SIGTERM');
      await second.exited;
    }
  }, 180_000);
});

describe('the floor when its worker is killed under load', () => {
  it('never books an agent beyond maxConcurrent when 200 transfers reserve over 20 agents from two processes and the worker running the floor is SIGKILLed mid-way', async () => {
    const generated = generateContactCenter({ agents: 20, departments: 1, seed: 3 });
    const routingConfig = path.join(bundleDir, 'twenty-agents.yaml');
    writeFileSync(routingConfig, contactCenterYaml(generated, 'Twenty agents in one department.'));
    const center = loadContactCenter(routingConfig);
    const capacity = new Map(center.agents.map((agent) => [agent.id, agent.maxConcurrent]));
    const taskQueue = uniqueTaskQueue('floor-crash');
    const env = { ROUTING_CONFIG: routingConfig };
    const first = await startWorker(taskQueue, { vapiApi: false, env });
    const processes = [0, 1].map(() => new TemporalFloorClient(client.workflow, taskQueue, () => rosterOf(center)));
    const criteria = { department: center.departments[0]!.id, candidateOffices: center.offices.map((office) => office.id), language: 'en', seniorRequired: false, knownAgent: null, exclude: [] };

    let answered = 0;
    const replies = Array.from({ length: 200 }, (_, index) =>
      processes[index % 2]!.reserve({ type: 'reserve', transferId: `t-${index}`, criteria, ttlSeconds: 600 }).then(
        (reply) => {
          answered += 1;
          return reply.agentId;
        },
        // A reservation the floor could not answer in time: the transfer goes to the department line.
        () => 'unanswered' as const,
      ),
    );
    while (answered < 20) await new Promise((resolve) => setTimeout(resolve, 20));
    first.process.kill('SIGKILL');
    await first.exited;
    const second = await startWorker(taskQueue, { vapiApi: false, env });
    try {
      const settled = await Promise.all(replies);
      // Read as an operator would: again, until the dead worker's workflow task has timed out and the floor answers.
      let agents: Record<string, { activeTransfers: number }> | undefined;
      for (const deadline = Date.now() + 60_000; !agents && Date.now() < deadline; ) agents = await processes[0]!.liveStates().then((states) => states.agents, () => undefined);
      if (!agents) throw new Error('the floor never answered after the worker was killed');
      for (const [agentId, state] of Object.entries(agents)) expect(state.activeTransfers).toBeLessThanOrEqual(capacity.get(agentId)!);
      const reserved = settled.filter((agentId): agentId is string => typeof agentId === 'string' && agentId !== 'unanswered');
      const booked = new Map<string, number>();
      for (const agentId of reserved) booked.set(agentId, (booked.get(agentId) ?? 0) + 1);
      for (const [agentId, count] of booked) expect(count).toBeLessThanOrEqual(capacity.get(agentId)!);
      // Every place was taken by someone (a reservation answered, or one whose answer was lost with the worker).
      expect(Object.values(agents).reduce((sum, state) => sum + state.activeTransfers, 0)).toBe([...capacity.values()].reduce((sum, places) => sum + places, 0));
      expect(settled.filter((agentId) => agentId === null).length).toBeGreaterThan(0);
    } finally {
      second.process.kill('SIGTERM');
      await second.exited;
    }
  }, 180_000);
});
