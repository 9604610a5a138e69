import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { transferStatusQuery, transferWorkflowId } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { buildToolCallsPayload, newCallId } from '../../src/dev/vapi-payloads';
import { createLogger } from '../../src/observability/logger';
import { createReadinessCheck } from '../../src/temporal/readiness';
import { parseAllowedHosts } from '../../src/vapi/control-url';
import { activitiesWith } from '../support/factories';
import { connectTestEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

let env: TestWorkflowEnvironment;
let control: FakeControlServer;
let worker: Worker;
let workerRun: Promise<void>;
let app: ReturnType<typeof createApp>;
const taskQueue = uniqueTaskQueue('e2e');

beforeAll(async () => {
  env = await connectTestEnv();
  control = await startFakeControlServer();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: activitiesWith().activities,
  });
  workerRun = worker.run();
  app = createApp({
    webhookAuth: { mode: 'none' },
    transferToolNames: ['transfer_call'],
    allowedHosts: parseAllowedHosts(['*.vapi.ai', '127.0.0.1']),
    taskQueue,
    workflowClient: env.client.workflow,
    logger: createLogger({ level: 'silent' }),
    readiness: createReadinessCheck(env.client, taskQueue),
  });
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
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
    expect(status.steps.map((step) => step.name)).toEqual(['enrichCustomer', 'pickAgent', 'postSummary', 'executeTransfer']);
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

  it('is ready once a worker polls the task queue', async () => {
    const response = await request(app).get('/readyz');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ready: true, temporal: 'reachable' });
  });
});
