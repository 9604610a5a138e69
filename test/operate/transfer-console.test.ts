import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { codecUrlToken } from '../../src/api/codec/router';
import { TRANSFER_WORKFLOW_TYPE, agentWorkflowId, transferWorkflowId } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { buildToolCallsPayload, newCallId } from '../../src/dev/vapi-payloads';
import { TemporalFloorClient } from '../../src/integrations/floor-client';
import { rosterOf } from '../../src/config/contact-center';
import { startTestWorkers, floorBackedActivities } from '../support/workers';
import type { CallStatusSource } from '../../src/integrations/call-status';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import { replayTransfers } from '../../src/operations/replay';
import { CANCEL_EFFECT, TransferConsole } from '../../src/operations/transfer-console';
import { transferStartOptions } from '../../src/temporal/transfer-start';
import { createDataConverter } from '../../src/temporal/data-converter';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import { createReadinessCheck } from '../../src/temporal/readiness';
import { parseAllowedHosts } from '../../src/vapi/control-url';
import { activitiesWith, alwaysOpenContactCenter, transferRequest } from '../support/factories';
import { switchboard } from '../support/cli';
import { eventually } from '../support/eventually';
import { readableSecrets } from '../support/history-secrets';
import { connectTestEnv, uniqueTaskQueue } from '../support/temporal';
import { defaultWebhookSettings } from '../support/test-app';

const ADMIN = 'operator-token-for-tests';
const CALLER_NUMBER = '+12125550187';
const CALLER_WORDS = 'my account number is 4417 and I want to dispute a charge';
const UI_ORIGIN = 'http://localhost:8233';

let env: TestWorkflowEnvironment;
let control: FakeControlServer;
let workers: Awaited<ReturnType<typeof startTestWorkers>>;
let client: Client;
let app: ReturnType<typeof createApp>;
const logLines: string[] = [];
const taskQueue = uniqueTaskQueue('operate');
const KEY = randomBytes(32);
const codec = new AesGcmPayloadCodec([{ id: 'k2', key: KEY }]);
const dataConverter = createDataConverter(codec);
const metrics = createMetrics({ departments: ['billing', 'support', 'sales'], defaultMetrics: false });
/** What Vapi's API says about each call; unknown calls are "cannot tell" (null). */
const callStates = new Map<string, string>();
const callStatus: CallStatusSource = { status: async (callId) => callStates.get(callId) ?? null };

beforeAll(async () => {
  env = await connectTestEnv();
  control = await startFakeControlServer();
  client = new Client({ connection: env.connection, namespace: 'default', dataConverter });
  workers = await startTestWorkers(env, taskQueue, floorBackedActivities(env, taskQueue, { contactCenter: alwaysOpenContactCenter() }, client).activities, { dataConverter, encryptedFailures: true, metrics });
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logLines.push(line) } });
  app = createApp({
    ...defaultWebhookSettings(),
    webhookAuth: { mode: 'none' },
    transferToolNames: ['transfer_call'],
    allowedHosts: parseAllowedHosts(['*.vapi.ai', '127.0.0.1']),
    taskQueue,
    workflowClient: client.workflow,
    logger,
    readiness: createReadinessCheck(client, taskQueue),
    timings: { outcomeTimeoutSeconds: 1, fallbackCheckSeconds: 1, warmDialSeconds: 1 },
    metrics,
    transfers: new TransferConsole({ workflowClient: client.workflow, taskQueue, callStatus, dataConverter }),
    codec: { codec, corsOrigins: [UI_ORIGIN] },
    operator: {
      adminToken: ADMIN,
      floor: new TemporalFloorClient(client.workflow, taskQueue, () => rosterOf(alwaysOpenContactCenter())),
      contactCenter: alwaysOpenContactCenter(),
      crm: activitiesWith().deps.crm,
      tone: activitiesWith().deps.tone,
      transferToolNames: ['transfer_call'],
    },
  });
});

afterAll(async () => {
  await workers?.stop();
  await control?.close();
  await env?.teardown();
});

const admin = { authorization: `Bearer ${ADMIN}` };

/** The fake control server refuses transfers of these calls (HTTP 400 → ControlUrlRejected). */
const refused = new Set<string>();

/** Posts one realistic tool-calls webhook; returns the workflow id it starts. `refused`: the control URL turns its transfer down. */
async function postTransfer(options: { department?: string; refused?: boolean } = {}): Promise<{ workflowId: string; callId: string }> {
  const seed = newCallId();
  if (options.refused) refused.add(seed);
  return postTransferFor(seed, options.department);
}

async function postTransferFor(seed: string, department = 'billing'): Promise<{ workflowId: string; callId: string }> {
  const { body, callId, toolCallId } = buildToolCallsPayload({
    callId: seed,
    controlUrl: control.controlUrlFor(seed),
    arguments: { department, reason: 'dispute a charge', urgency: 'high' },
    callerNumber: CALLER_NUMBER,
    callerTurns: [CALLER_WORDS],
  });
  const response = await request(app).post('/webhook').send(body).expect(200);
  expect(response.body.results[0].result).toMatch(/Transfer in progress/);
  return { workflowId: transferWorkflowId(callId, toolCallId), callId };
}

async function closed(workflowId: string): Promise<void> {
  await client.workflow.getHandle(workflowId).result().catch(() => undefined);
}

beforeEach(() => {
  control.respondWith((command) =>
    refused.has(command.callId) && (command.body as { type?: string }).type === 'transfer' ? { status: 400, body: { message: 'no' } } : { status: 200, body: {} },
  );
});

describe('operating failed transfers', () => {
  it('lists a refused transfer as failed, shows its steps with timings and failure, and retries it as a new run of the same id', async () => {
    const { workflowId, callId } = await postTransfer({ refused: true });
    await closed(workflowId);

    const listed = await eventually(
      async () => (await request(app).get('/transfers').query({ outcome: 'failed', callId, since: '1h' }).set(admin).expect(200)).body.transfers as { workflowId: string }[],
      (transfers) => transfers.length > 0,
    );
    expect(listed.map((transfer) => transfer.workflowId)).toEqual([workflowId]);

    const shown = (await request(app).get(`/transfers/${workflowId}`).set(admin).expect(200)).body;
    expect(shown).toMatchObject({ status: 'FAILED', outcome: 'failed', department: 'billing', summary: 'Transfer: billing, high urgency' });
    expect(shown.request).toMatchObject({ callId, department: 'billing', urgency: 'high', callerNumber: '…87', hasControlUrl: true });
    expect(JSON.stringify(shown)).not.toContain(CALLER_NUMBER);
    expect(JSON.stringify(shown)).not.toContain(CALLER_WORDS);
    const steps = shown.steps.map((step: { activity: string; status: string }) => `${step.activity}:${step.status}`);
    expect(steps).toEqual(expect.arrayContaining(['enrichCustomer:completed', 'postSummary:completed', 'executeTransfer:failed', 'markSummary:completed', 'releaseAgent:completed', 'sayToCaller:completed']));
    for (const step of shown.steps) expect(step.durationMs).toBeGreaterThanOrEqual(0);
    expect(shown.steps.find((step: { activity: string }) => step.activity === 'executeTransfer')).toMatchObject({ summary: expect.stringMatching(/^Transfer to /), error: expect.stringMatching(/control URL answered 400/) });
    expect(shown.steps.filter((step: { kind: string }) => step.kind === 'local').map((step: { activity: string }) => step.activity)).toEqual(
      expect.arrayContaining(['loadRoutingRules', 'assessTone', 'enrichCustomer', 'reserveAgent', 'postSummary']),
    );
    expect(shown.failure).toMatch(/transfer failed at executeTransfer/);
    // The decision as the workflow held it, and the Web UI's current details saying where and why it failed.
    expect(shown.decision).toMatchObject({ department: 'billing', agentId: expect.stringMatching(/^a-/), mode: expect.any(String), decidedBy: expect.any(String) });
    expect(shown.decision.reasons.length).toBeGreaterThan(0);
    expect(shown.details).toBe('Transfer failed at executeTransfer: ControlUrlRejected: control URL answered 400 (summary marked not transferred, agent released, caller told)');

    // Vapi cannot be asked: refused unless forced. Once forced, the same request runs again and goes through.
    await request(app).post(`/transfers/${workflowId}/retry`).set(admin).send({}).expect(409, /call_state_unknown/);
    refused.delete(callId);
    const retried = (await request(app).post(`/transfers/${workflowId}/retry`).set(admin).send({ force: true }).expect(202)).body;
    expect(retried).toMatchObject({ workflowId, strategy: 'new-run', previousRunId: shown.runId });
    await closed(workflowId);
    const after = (await request(app).get(`/transfers/${workflowId}`).set(admin).expect(200)).body;
    expect(after.runId).toBe(retried.runId);
    expect(after.outcome).toBe('transfer-initiated');
    expect(after.runs).toHaveLength(2);
    const transfers = control.commandsFor(callId).filter((command) => (command.body as { type?: string }).type === 'transfer');
    expect(transfers).toHaveLength(2); // one refused, one accepted

    // Both runs replay against the code this process runs (the gate before deploying a change).
    const replayed = (await request(app).post(`/transfers/${workflowId}/replay`).set(admin).expect(200)).body;
    expect(replayed).toMatchObject({ workflowId, ok: true });
    expect(replayed.runs.map((run: { runId: string }) => run.runId).sort()).toEqual([shown.runId, retried.runId].sort());
  });

  it('refuses to retry when Vapi says the call has ended, and retries a transfer Vapi took only when forced, saying why', async () => {
    const { workflowId: failed, callId } = await postTransfer({ refused: true });
    await closed(failed);
    callStates.set(callId, 'ended');
    await request(app).post(`/transfers/${failed}/retry`).set(admin).send({ force: true }).expect(409, /call_not_live/);

    const done = await postTransfer();
    await closed(done.workflowId);
    callStates.set(done.callId, 'in-progress');
    const refusedRetry = await request(app).post(`/transfers/${done.workflowId}/retry`).set(admin).send({}).expect(409);
    expect(refusedRetry.body).toMatchObject({ error: 'may_have_reached_caller', message: expect.stringMatching(/^the transfer may already have reached the caller: Transfer to .* was accepted by Vapi; retrying could transfer them twice/) });
    // The operator knows better (Vapi says the caller is still with the assistant), and forces it.
    const forced = (await request(app).post(`/transfers/${done.workflowId}/retry`).set(admin).send({ force: true }).expect(202)).body;
    expect(forced).toMatchObject({ workflowId: done.workflowId, callState: 'in-progress' });
    await closed(done.workflowId);
    expect(control.commandsFor(done.callId).filter((command) => (command.body as { type?: string }).type === 'transfer')).toHaveLength(2);
  });

  it('reads from the history that a transfer answered 502 may have reached the caller, and retries it only when forced', async () => {
    const seed = newCallId();
    control.respondWith((command) => (command.callId === seed && (command.body as { type?: string }).type === 'transfer' ? { status: 502, body: { message: 'bad gateway' } } : { status: 200, body: {} }));
    const { workflowId, callId } = await postTransferFor(seed);
    await closed(workflowId);
    // Vapi's API cannot be asked here: the doubt stays, the caller was asked to hold, nothing was sent again.
    const shown = (await request(app).get(`/transfers/${workflowId}`).set(admin).expect(200)).body;
    expect(shown).toMatchObject({ status: 'COMPLETED', outcome: 'unknown' });
    expect(control.commandsFor(callId).map((command) => (command.body as { type?: string }).type)).toEqual(['transfer', 'say']);

    const refusedRetry = await request(app).post(`/transfers/${workflowId}/retry`).set(admin).send({}).expect(409);
    expect(refusedRetry.body).toMatchObject({ error: 'may_have_reached_caller', message: expect.stringMatching(/ended in doubt \(.*502.*\)/) });
    // Forced, on the operator's word alone (Vapi cannot be asked): a new run.
    expect((await request(app).post(`/transfers/${workflowId}/retry`).set(admin).send({ force: true }).expect(202)).body).toMatchObject({ callState: null });
    await closed(workflowId);
  });

  it('refuses to retry a run terminated while its POST was under way, though it never recorded an outcome', async () => {
    // Long enough to terminate the run while the POST waits for its answer (the activities' client timeout is 1 s).
    control.respondWith(() => ({ status: 200, body: {}, delayMs: 800 }));
    const { workflowId, callId } = await postTransfer();
    await control.waitForCommands(callId, 1);
    await client.workflow.getHandle(workflowId).terminate('operator pulled the plug');
    await closed(workflowId);
    const shown = (await request(app).get(`/transfers/${workflowId}`).set(admin).expect(200)).body;
    expect(shown).toMatchObject({ status: 'TERMINATED', outcome: null });

    callStates.set(callId, 'in-progress');
    const refusedRetry = await request(app).post(`/transfers/${workflowId}/retry`).set(admin).send({}).expect(409);
    expect(refusedRetry.body).toMatchObject({ error: 'may_have_reached_caller', message: expect.stringMatching(/never finished/) });
    await request(app).post(`/transfers/${workflowId}/retry`).set(admin).send({ force: true }).expect(202);
    await closed(workflowId);
  });

  it('cancels a running transfer (keeping a transfer already sent), and says so when it is no longer running', async () => {
    // Inside the test activities' 1 s client timeout, and long enough to cancel while the POST is in flight.
    control.respondWith(() => ({ status: 200, body: {}, delayMs: 700 }));
    const { workflowId, callId } = await postTransfer();
    await control.waitForCommands(callId, 1);
    // While it runs, the workflow's current details complete the start-time summary with routing's answer.
    const running = (await request(app).get(`/transfers/${workflowId}`).set(admin).expect(200)).body;
    expect(running.details).toMatch(/^Transfer: billing, standard, high urgency → (agent \S+|billing line) \([a-z-]+\), decided by \S+$/);
    const cancelled = await request(app).post(`/transfers/${workflowId}/cancel`).set(admin).expect(202);
    expect(cancelled.body).toMatchObject({ workflowId, status: 'cancel-requested', transferSent: true, effect: CANCEL_EFFECT.sent });
    await closed(workflowId);
    // The transfer was already on its way to Vapi: the cancel ends the wait and undoes nothing.
    const shown = (await request(app).get(`/transfers/${workflowId}`).set(admin).expect(200)).body;
    expect(shown).toMatchObject({ status: 'COMPLETED', outcome: 'transfer-initiated' });
    expect(control.commandsFor(callId)).toHaveLength(1);
    await request(app).post(`/transfers/${workflowId}/cancel`).set(admin).expect(409, /not_running/);
  });

  it('says a cancel before the transfer POST runs the compensations, over HTTP and in the CLI', async () => {
    // No worker polls this queue: the transfers wait before their first step, so nothing has been sent.
    const idle = uniqueTaskQueue('nobody-polls');
    const [viaHttp, viaCli] = await Promise.all(
      [1, 2].map(async () => {
        const handle = await client.workflow.start(TRANSFER_WORKFLOW_TYPE, transferStartOptions(transferRequest({ controlBaseUrl: control.baseUrl }), idle));
        return handle.workflowId;
      }),
    );
    try {
      const cancelled = await request(app).post(`/transfers/${viaHttp}/cancel`).set(admin).expect(202);
      const printed = await switchboard(['transfers', 'cancel', viaCli!], { PAYLOAD_ENCRYPTION_KEYS: `k2:${KEY.toString('base64')}` });

      expect(cancelled.body).toMatchObject({ workflowId: viaHttp, status: 'cancel-requested', transferSent: false, effect: CANCEL_EFFECT.notSent });
      expect(printed).toMatchObject({ code: 0, stdout: expect.stringContaining(`cancellation requested for ${viaCli}`) });
      expect(printed.stdout).toContain(CANCEL_EFFECT.notSent);
      expect(printed.stdout).not.toContain('cannot be taken back');
    } finally {
      await Promise.all([viaHttp, viaCli].map((id) => client.workflow.getHandle(id!).terminate('test done')));
    }
  });

  it('finds a transfer recorded under a 1.0 id (transfer-<callId>-<toolCallId>) by that id and by its call id', async () => {
    const recorded = transferRequest({ controlBaseUrl: control.baseUrl });
    const legacyId = `transfer-${recorded.callId}-${recorded.toolCallId}`;
    await client.workflow.start(TRANSFER_WORKFLOW_TYPE, { ...transferStartOptions(recorded, taskQueue), workflowId: legacyId });
    await closed(legacyId);

    const shown = (await request(app).get(`/transfers/${legacyId}`).set(admin).expect(200)).body;
    expect(shown).toMatchObject({ workflowId: legacyId, callId: recorded.callId, request: { toolCallId: recorded.toolCallId } });
    const listed = await eventually(
      async () => (await request(app).get('/transfers').query({ callId: recorded.callId }).set(admin).expect(200)).body.transfers as { workflowId: string }[],
      (transfers) => transfers.length > 0,
    );
    expect(listed.map((transfer) => transfer.workflowId)).toEqual([legacyId]);
  });

  it('answers 401 without the admin token, 404 for ids that are not transfers and 400 for bad filters', async () => {
    await request(app).get('/transfers').expect(401);
    await request(app).get('/transfers/anything').set({ authorization: 'Bearer wrong' }).expect(401);
    await request(app).post('/transfers/x/retry').expect(401);
    await request(app).get('/transfers/transfer-does-not-exist').set(admin).expect(404);
    await request(app).get(`/transfers/${agentWorkflowId(taskQueue, 'a-ana')}`).set(admin).expect(404);
    await request(app).get('/transfers').query({ outcome: "failed' OR WorkflowType != '" }).set(admin).expect(400);
    await request(app).get('/transfers').query({ since: 'yesterday-ish' }).set(admin).expect(400);
    await request(app).get('/transfers').query({ colour: 'red' }).set(admin).expect(400);
    await request(app).get('/transfers/bad id with spaces').set(admin).expect(400);
  });
});

describe('keeping callers data encrypted', () => {
  it('leaves no caller number, words or controlUrl readable in the raw history, while the codec endpoint decrypts for token holders', async () => {
    const { workflowId } = await postTransfer();
    await closed(workflowId);
    const raw = await env.client.workflow.getHandle(workflowId).fetchHistory();
    expect(readableSecrets(raw, [CALLER_NUMBER, CALLER_WORDS, control.baseUrl, 'dispute a charge'])).toEqual([]);
    const input = raw.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const asJson = {
      metadata: Object.fromEntries(Object.entries(input.metadata!).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
      data: Buffer.from(input.data!).toString('base64'),
    };
    expect(Buffer.from(asJson.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');

    await request(app).post('/codec/decode').send({ payloads: [asJson] }).expect(401);
    const decoded = await request(app).post('/codec/decode').set(admin).send({ payloads: [asJson] }).expect(200);
    const plain = JSON.parse(Buffer.from(decoded.body.payloads[0].data, 'base64').toString());
    expect(plain).toMatchObject({ callerNumber: CALLER_NUMBER, callerWords: expect.stringContaining(CALLER_WORDS) });

    // The Web UI's form: token in the URL, a CORS preflight from its origin, and nothing for other origins.
    const token = codecUrlToken(ADMIN);
    await request(app).options(`/codec/${token}/decode`).set({ origin: UI_ORIGIN, 'access-control-request-method': 'POST' }).expect(204).expect('access-control-allow-origin', UI_ORIGIN);
    await request(app).options(`/codec/${token}/decode`).set({ origin: 'https://evil.example', 'access-control-request-method': 'POST' }).expect(403);
    const viaUi = await request(app).post(`/codec/${token}/decode`).set({ origin: UI_ORIGIN, 'x-namespace': 'default' }).send({ payloads: [asJson] }).expect(200);
    expect(viaUi.body).toEqual(decoded.body);
    await request(app).post('/codec/not-the-token/decode').send({ payloads: [asJson] }).expect(401);
    expect(logLines.join('')).not.toContain(token);
  });

  it('encrypts failure messages too, and replays encrypted histories only with the keys', async () => {
    const { workflowId } = await postTransfer({ refused: true });
    await closed(workflowId);
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    expect(JSON.stringify(history)).not.toContain('control URL answered 400');
    const failedEvent = history.events!.find((event) => event.workflowExecutionFailedEventAttributes)!;
    expect(failedEvent.workflowExecutionFailedEventAttributes!.failure!.message).toBe('Encoded failure');

    const withKeys = await replayTransfers([{ workflowId, history }], { dataConverter });
    expect(withKeys).toEqual([expect.objectContaining({ ok: true })]);
    const withoutKeys = await replayTransfers([{ workflowId, history }], { dataConverter: createDataConverter() });
    expect(withoutKeys[0]?.ok).toBe(false);
    expect(withoutKeys[0]?.message).toMatch(/payload was encrypted with key \\*"k2\\*", but PAYLOAD_ENCRYPTION_KEYS is not set on this process/);
  });
});

describe('the transfer CLI with encryption on', () => {
  it('lists transfers without PAYLOAD_ENCRYPTION_KEYS, since every column comes from search attributes, while show names the keys it needs', async () => {
    const { workflowId, callId } = await postTransfer({ refused: true });
    await closed(workflowId);
    const withoutKeys = { PAYLOAD_ENCRYPTION_KEYS: '' };

    const listed = await eventually(
      () => switchboard(['transfers', 'list', '--call-id', callId, '--since', '1h'], withoutKeys),
      (result) => result.code !== 0 || result.stdout.includes(workflowId),
    );
    const shown = await switchboard(['transfers', 'show', workflowId], withoutKeys);

    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toMatch(new RegExp(`^${workflowId}\\s+FAILED\\s+failed\\s+billing\\s+standard\\s+`, 'm'));
    expect(shown.code).toBe(1);
    expect(shown.stderr).toContain('payload was encrypted with key "k2", but PAYLOAD_ENCRYPTION_KEYS is not set on this process');
  });
});

describe('metrics and logs', () => {
  it('exports switchboard_ families for webhooks, latency, outcomes and compensations in Prometheus format', async () => {
    const text = await (await request(app).get('/metrics').expect(200).expect('content-type', /text\/plain/)).text;
    expect(text).toMatch(/^switchboard_webhook_requests_total\{message_type="tool-calls",status="200"\} \d+$/m);
    expect(text).toMatch(/^switchboard_webhook_ack_seconds_bucket\{le="0\.02",message_type="tool-calls"\} \d+$/m);
    expect(text).toMatch(/^switchboard_webhook_to_transfer_seconds_count\{department="billing"\} [1-9]\d*$/m);
    expect(text).toMatch(/^switchboard_transfers_total\{department="billing",outcome="failed"\} [1-9]\d*$/m);
    expect(text).toMatch(/^switchboard_compensations_total\{compensation="markSummary"\} [1-9]\d*$/m);
    expect(text).not.toContain(CALLER_NUMBER);
  });

  it('logs one JSON line per request with request id, and workflow and call ids for transfers, never personal data or controlUrls', async () => {
    const { workflowId, callId } = await postTransfer();
    await closed(workflowId);
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.find((entry) => entry.msg === 'transfer accepted' && entry.workflowId === workflowId)).toMatchObject({ callId });
    expect(entries.find((entry) => entry.msg === 'request' && entry.callId === callId)).toMatchObject({ requestId: expect.any(String), status: 200 });
    const all = logLines.join('\n');
    for (const secret of [CALLER_NUMBER, CALLER_WORDS, control.baseUrl, ADMIN]) expect(all).not.toContain(secret);
  });
});
