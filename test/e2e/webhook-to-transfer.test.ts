import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { NO_DESTINATION_ERROR } from '../../src/api/webhook/destination-request';
import { transferStatusQuery, transferWorkflowId } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { buildToolCallsPayload, newCallId } from '../../src/dev/vapi-payloads';
import { createLogger } from '../../src/observability/logger';
import { createReadinessCheck } from '../../src/temporal/readiness';
import { parseAllowedHosts } from '../../src/vapi/control-url';
import { callDestinationSchema } from '../../src/vapi/destinations';
import { waitForStage } from '../support/run-transfer';
import { connectTestEnv, uniqueTaskQueue } from '../support/temporal';
import { floorBackedActivities, startTestWorkers } from '../support/workers';
import { defaultWebhookSettings } from '../support/test-app';

let env: TestWorkflowEnvironment;
let control: FakeControlServer;
let workers: Awaited<ReturnType<typeof startTestWorkers>>;
let app: ReturnType<typeof createApp>;
/** The same app with a destination deadline no routing can meet: every destination request is answered too late. */
let hastyApp: ReturnType<typeof createApp>;
let activities: ReturnType<typeof floorBackedActivities>;
/** The same app, with transfers that wait long enough for a test to play Vapi's status reports. */
let patientApp: ReturnType<typeof createApp>;
const taskQueue = uniqueTaskQueue('e2e');

/** A real captured (or SYNTHETIC, derived) Vapi message moved onto `callId` and the fake control server. */
function vapiMessage(name: string, callId: string, toolCallId?: string) {
  const body = JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/vapi', name), 'utf8'));
  body.message.call.id = callId;
  body.message.call.monitor = { controlUrl: control.controlUrlFor(callId), listenUrl: `ws://127.0.0.1/${callId}/listen` };
  if (toolCallId) {
    body.message.artifact.messages.push({
      role: 'tool_calls',
      toolCalls: [{ id: toolCallId, type: 'function', function: { name: 'transfer_call', arguments: '{}' } }],
      message: '',
    });
  }
  return body;
}

beforeAll(async () => {
  env = await connectTestEnv();
  control = await startFakeControlServer();
  activities = floorBackedActivities(env, taskQueue);
  workers = await startTestWorkers(env, taskQueue, activities.activities);
  const deps = {
    ...defaultWebhookSettings(),
    webhookAuth: { mode: 'none' as const },
    transferToolNames: ['transfer_call'],
    allowedHosts: parseAllowedHosts(['*.vapi.ai', '127.0.0.1']),
    taskQueue,
    workflowClient: env.client.workflow,
    logger: createLogger({ level: 'silent' }),
    readiness: createReadinessCheck(env.client, taskQueue),
  };
  app = createApp({ ...deps, timings: { outcomeTimeoutSeconds: 1, fallbackCheckSeconds: 1, warmDialSeconds: 1 } });
  patientApp = createApp({ ...deps, timings: { outcomeTimeoutSeconds: 60, fallbackCheckSeconds: 1, warmDialSeconds: 1 } });
  hastyApp = createApp({ ...deps, destinationDeadlineMs: 1, timings: { outcomeTimeoutSeconds: 60, fallbackCheckSeconds: 1, warmDialSeconds: 1 } });
});

afterAll(async () => {
  await workers?.stop();
  await control?.close();
  await env?.teardown();
});

function transferPayload() {
  const callId = newCallId();
  return buildToolCallsPayload({ callId, controlUrl: control.controlUrlFor(callId), callerTurns: ['Can I talk to billing about my invoice?'] });
}

describe('webhook to transfer, end to end', () => {
  it('turns one tool-calls webhook into exactly one transfer at the call’s controlUrl', async () => {
    const { body, callId, toolCallId } = transferPayload();

    const response = await request(app).post('/webhook').send(body);

    expect(response.status).toBe(200);
    const handle = env.client.workflow.getHandle(transferWorkflowId(callId, toolCallId));
    await handle.result();
    expect(control.commandsFor(callId).map((command) => command.body)).toEqual([
      expect.objectContaining({ type: 'transfer', destination: expect.objectContaining({ type: 'number' }) }),
    ]);
    const status = await handle.query(transferStatusQuery);
    expect(status.steps.map((step) => step.name)).toEqual([
      'loadRoutingRules',
      'assessTone',
      'enrichCustomer',
      'reserveAgent',
      'postSummary',
      'executeTransfer',
      'checkCallState',
      'agentConnected',
      'markSummary',
    ]);
  });

  it('transfers once when the same webhook arrives three times at once', async () => {
    const { body, callId, toolCallId } = transferPayload();

    const responses = await Promise.all([1, 2, 3].map(() => request(app).post('/webhook').send(body)));

    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    await env.client.workflow.getHandle(transferWorkflowId(callId, toolCallId)).result();
    // Give a stray duplicate time to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(control.commandsFor(callId).filter((c) => (c.body as { type: string }).type === 'transfer')).toHaveLength(1);
  });

  it('transfers both of two tool calls whose ids would have collided as transfer-<callId>-<toolCallId>', async () => {
    const call = newCallId();
    const pairs = [
      { callId: `${call}-x1`, toolCallId: 'call_b' },
      { callId: call, toolCallId: 'x1-call_b' },
    ];

    for (const pair of pairs) {
      const { body } = buildToolCallsPayload({ ...pair, controlUrl: control.controlUrlFor(pair.callId) });
      expect((await request(app).post('/webhook').send(body)).body.results[0].result).toBe('Transfer in progress: connecting the caller now.');
    }

    for (const pair of pairs) {
      await env.client.workflow.getHandle(transferWorkflowId(pair.callId, pair.toolCallId)).result();
      expect(control.commandsFor(pair.callId).filter((command) => (command.body as { type: string }).type === 'transfer')).toHaveLength(1);
    }
  });

  it('never runs a finished transfer again when the webhook is delivered later', async () => {
    const { body, callId, toolCallId } = transferPayload();
    await request(app).post('/webhook').send(body);
    await env.client.workflow.getHandle(transferWorkflowId(callId, toolCallId)).result();

    const late = await request(app).post('/webhook').send(body);

    expect(late.status).toBe(200);
    expect(late.body.results[0].result).toBe('This transfer request was already handled.');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(control.commandsFor(callId)).toHaveLength(1);
  });

  it('records the transfer as transferred when Vapi then reports the call forwarding', async () => {
    const { body, callId, toolCallId } = transferPayload();
    await request(patientApp).post('/webhook').send(body);
    const handle = env.client.workflow.getHandle(transferWorkflowId(callId, toolCallId));
    await control.waitForCommands(callId, 1);
    await waitForStage(handle, 'awaiting-outcome');

    const report = await request(patientApp).post('/webhook').send(vapiMessage('status-update.forwarding.SYNTHETIC.json', callId, toolCallId));

    expect(report.status).toBe(200);
    expect(await handle.result()).toMatchObject({ outcome: 'transferred' });
  });

  it('finds the transfers of a call by its search attribute when the report carries no tool calls', async () => {
    const { body, callId, toolCallId } = transferPayload();
    await request(patientApp).post('/webhook').send(body);
    const handle = env.client.workflow.getHandle(transferWorkflowId(callId, toolCallId));
    await waitForStage(handle, 'awaiting-outcome');

    await request(patientApp).post('/webhook').send(vapiMessage('status-update.ended-forwarded.SYNTHETIC.json', callId));

    expect(await handle.result()).toMatchObject({ outcome: 'transferred' });
  });

  it('answers a transfer-destination-request with a destination from the caller’s words, and posts nothing', async () => {
    const callId = newCallId();

    const response = await request(patientApp).post('/webhook').send(vapiMessage('transfer-destination-request.SYNTHETIC.json', callId));

    expect(response.status).toBe(200);
    expect(callDestinationSchema.safeParse({ ...response.body.destination, message: undefined }).success).toBe(true);
    expect(response.body).toEqual({
      destination: expect.objectContaining({ type: 'number', transferPlan: { mode: 'blind-transfer' }, message: 'Connecting you to support now.' }),
    });
    const [execution] = await collect(env.client.workflow.list({ query: `VapiCallId = '${callId}'` }));
    expect(execution).toBeDefined();
    await request(patientApp).post('/webhook').send(vapiMessage('status-update.forwarding.SYNTHETIC.json', callId));
    expect(await env.client.workflow.getHandle(execution!.workflowId).result()).toMatchObject({ outcome: 'transferred' });
    expect(control.commandsFor(callId)).toHaveLength(0);
  });

  it('abandons a transfer-destination-request answered past its deadline: Vapi hears there is none, the agent is freed, the note says so', async () => {
    const callId = newCallId();

    const response = await request(hastyApp).post('/webhook').send(vapiMessage('transfer-destination-request.SYNTHETIC.json', callId));

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ error: NO_DESTINATION_ERROR });
    const [execution] = await collect(env.client.workflow.list({ query: `VapiCallId = '${callId}'` }));
    expect(execution).toBeDefined();
    // It ends by itself, long before Vapi's report could (the outcome timeout is a minute): nobody waits for one.
    const result = await env.client.workflow.getHandle(execution!.workflowId).result();
    expect(result).toMatchObject({ outcome: 'deadline-missed', decision: { agentId: expect.stringMatching(/^a-/) } });
    const agentId = result.decision!.agentId!;
    const floor = activities.deps.floor;
    const { agents } = await floor.liveStates();
    expect(agents[agentId]).toMatchObject({ status: 'available', activeTransfers: 0 });
    const note = [...activities.deps.crm.notes.values()].find((stored) => stored.transferId === execution!.workflowId);
    expect(note).toMatchObject({ status: 'not-transferred' });
    expect(control.commandsFor(callId)).toHaveLength(0);
  });

  it('is ready once a worker polls the task queue', async () => {
    const response = await request(app).get('/readyz');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ready: true, temporal: 'reachable' });
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  // Visibility is eventually consistent: poll briefly until the new execution is listed.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const found: T[] = [];
    for await (const item of items) found.push(item);
    if (found.length > 0) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return [];
}
