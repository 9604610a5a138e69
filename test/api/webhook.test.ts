import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import request from 'supertest';
import { LIVE_CALL_CONTROL_HELP } from '../../src/api/webhook/tool-calls';
import fc from 'fast-check';
import { ROUTE_AT_HEADER, TRANSFER_WORKFLOW_TYPE, TransferStageAttribute, VapiCallId, transferWorkflowId } from '../../src/contracts';
import { createLogger } from '../../src/observability/logger';
import { buildToolCallsPayload } from '../../src/dev/vapi-payloads';
import { recordingClient } from '../support/recording-client';
import { appWith } from '../support/test-app';

const FIXTURES = path.resolve(__dirname, '../fixtures/vapi');
const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

describe('POST /webhook', () => {
  it('starts one transferCall workflow per transfer tool call with the derived id and exactly-once policies', async () => {
    const { app, start } = appWith();
    const { body, callId, toolCallId } = buildToolCallsPayload({
      arguments: { department: 'billing', reason: 'invoice question', urgency: 'high', customerId: 'c-1001' },
      callerNumber: '+12125550111',
      callerTurns: ['I have a question about my invoice.'],
    });

    const response = await request(app).post('/webhook').send(body);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      results: [{ toolCallId, name: 'transfer_call', result: 'Transfer in progress: connecting the caller now.' }],
    });
    expect(start).toHaveBeenCalledTimes(1);
    expect(start).toHaveBeenCalledWith(TRANSFER_WORKFLOW_TYPE, {
      workflowId: `transfer:${callId}:${toolCallId}`,
      taskQueue: 'queue-under-test',
      args: [
        {
          callId,
          toolCallId,
          controlUrl: `https://phone-call-websocket.aws-us-west-2-backend-production1.vapi.ai/${callId}/control`,
          receivedAt: '2026-11-25T15:00:00.000Z',
          department: 'billing',
          reason: 'invoice question',
          urgency: 'high',
          customerId: 'c-1001',
          callerNumber: '+12125550111',
          callerWords: 'I have a question about my invoice.',
          mode: 'control-url',
          outcomeTimeoutSeconds: 120,
          fallbackCheckSeconds: 30,
          warmDialSeconds: 60,
        },
      ],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowRunTimeout: '2 hours',
      typedSearchAttributes: [
        { key: VapiCallId, value: callId },
        { key: TransferStageAttribute, value: 'routing' },
      ],
      staticSummary: 'Transfer: billing, high urgency',
    });
  });

  it("carries the simulator's x-switchboard-route-at into the transfer as routeAt only in npm start's embedded mode, and ignores it with a warning elsewhere", async () => {
    const at = '2026-11-25T15:00:00-05:00';
    const embedded = appWith({ honourRouteAt: true });
    const warnings: string[] = [];
    const elsewhere = appWith({ logger: createLogger({ level: 'warn', destination: { write: (line: string) => void warnings.push(line) } }) });

    const honoured = await request(embedded.app).post('/webhook').set(ROUTE_AT_HEADER, at).send(buildToolCallsPayload().body);
    const ignored = await request(elsewhere.app).post('/webhook').set(ROUTE_AT_HEADER, at).send(buildToolCallsPayload().body);
    const refused = await request(embedded.app).post('/webhook').set(ROUTE_AT_HEADER, 'saturday night').send(buildToolCallsPayload().body);

    expect(honoured.status).toBe(200);
    expect(honoured.headers[ROUTE_AT_HEADER]).toBe('honoured');
    expect(embedded.start.mock.calls[0]![1]).toMatchObject({ args: [expect.objectContaining({ routeAt: at })] });
    expect(ignored.status).toBe(200);
    expect(ignored.headers[ROUTE_AT_HEADER]).toBe('ignored');
    expect(elsewhere.start.mock.calls[0]![1]).toMatchObject({ args: [expect.not.objectContaining({ routeAt: expect.anything() })] });
    expect(warnings.join('')).toContain("x-switchboard-route-at ignored: only npm start's embedded mode routes at the simulator's time");
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_route_at' });
    expect(embedded.start).toHaveBeenCalledTimes(1);
  });

  it('accepts arguments sent as a JSON string, as Vapi logs them in artifacts', async () => {
    const { app, start } = appWith();
    const { body } = buildToolCallsPayload();
    const message = body.message as unknown as { toolCallList: { function: { arguments: unknown } }[] };
    message.toolCallList[0]!.function.arguments = JSON.stringify({ department: 'sales', reason: 'upgrade' });

    const response = await request(app).post('/webhook').send(body);

    expect(response.status).toBe(200);
    expect(start.mock.calls[0]![1]).toMatchObject({ args: [{ department: 'sales', reason: 'upgrade', urgency: 'medium' }] });
  });

  it('reads the legacy toolCalls list when toolCallList and toolWithToolCallList are absent', async () => {
    const { app, start } = appWith();
    const { body, toolCallId } = buildToolCallsPayload();
    const message = body.message as Record<string, unknown>;
    delete message.toolCallList;
    delete message.toolWithToolCallList;

    const response = await request(app).post('/webhook').send(body);

    expect(response.status).toBe(200);
    expect(response.body.results[0].toolCallId).toBe(toolCallId);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('answers a redelivery of a finished transfer as already handled, with 200', async () => {
    const client = recordingClient();
    client.start.mockRejectedValue(new WorkflowExecutionAlreadyStartedError('already started', 'wf', TRANSFER_WORKFLOW_TYPE));
    const { app } = appWith({}, client);

    const response = await request(app).post('/webhook').send(buildToolCallsPayload().body);

    expect(response.status).toBe(200);
    expect(response.body.results[0].result).toBe('This transfer request was already handled.');
  });

  it('answers a transfer without a controlUrl with an error result that explains Live Call Control, and starts nothing', async () => {
    const { app, start } = appWith();

    const response = await request(app).post('/webhook').send(buildToolCallsPayload({ controlUrl: null }).body);

    expect(response.status).toBe(200);
    expect(response.body.results[0]).toMatchObject({ error: LIVE_CALL_CONTROL_HELP });
    expect(start).not.toHaveBeenCalled();
  });

  it('answers every tool call in order: unknown tools get an error result, transfers start', async () => {
    const { app, start } = appWith();
    const { body, toolCallId } = buildToolCallsPayload();
    const message = body.message as unknown as { toolCallList: unknown[] };
    message.toolCallList = [
      { id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: { city: 'Danville' } } },
      ...message.toolCallList,
    ];

    const response = await request(app).post('/webhook').send(body);

    expect(response.status).toBe(200);
    expect(response.body.results.map((r: { toolCallId: string }) => r.toolCallId)).toEqual(['call_weather', toolCallId]);
    expect(response.body.results[0].error).toMatch(/^Unknown tool "get_weather"/);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('answers invalid transfer arguments with a one-line error result and starts nothing', async () => {
    const { app, start } = appWith();

    const response = await request(app)
      .post('/webhook')
      .send(buildToolCallsPayload({ arguments: { department: 'billing', urgency: 'whenever' } }).body);

    expect(response.status).toBe(200);
    expect(response.body.results[0].error).toMatch(/^Cannot transfer: invalid arguments \(urgency: must be one of low, medium, high, critical\)\.$/);
    expect(start).not.toHaveBeenCalled();
  });

  it.each([
    ['a foreign host', 'https://attacker.example.com/CALL/control'],
    ['a look-alike host', 'https://phone-call-websocket.vapi.ai.attacker.com/CALL/control'],
    ['plain http', 'http://phone-call-websocket.aws-us-west-2-backend-production1.vapi.ai/CALL/control'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ["another call's path", 'https://phone-call-websocket.aws-us-west-2-backend-production1.vapi.ai/another-call/control'],
  ])('refuses a controlUrl on %s with 400 and starts nothing', async (_label, template) => {
    const { app, start } = appWith();
    const callId = 'c0ffee00-0000-4000-8000-000000000001';

    const response = await request(app)
      .post('/webhook')
      .send(buildToolCallsPayload({ callId, controlUrl: template.replace('CALL', callId) }).body);

    expect(response.status).toBe(400);
    expect(response.body.error).toBe('control_url_refused');
    expect(JSON.stringify(response.body)).not.toContain('attacker');
    expect(start).not.toHaveBeenCalled();
  });

  it.each([
    ['a body that is not JSON', '{"message": ', 'invalid_json'],
    ['a body without message', '{"hello": "world"}', 'invalid_message'],
    ['a tool-calls message without call', JSON.stringify({ message: { type: 'tool-calls', toolCallList: [] } }), 'invalid_message'],
  ])('refuses %s with 400 naming the problem', async (_label, raw, code) => {
    const { app, start } = appWith();

    const response = await request(app).post('/webhook').set('content-type', 'application/json').send(raw);

    expect(response.status).toBe(400);
    expect(response.body.error).toBe(code);
    expect(start).not.toHaveBeenCalled();
  });

  it('names the offending paths of a malformed tool-calls message', async () => {
    const { app } = appWith();
    const { body } = buildToolCallsPayload();
    (body.message as unknown as { call: { id: unknown } }).call.id = 42;

    const response = await request(app).post('/webhook').send(body);

    expect(response.status).toBe(400);
    expect(response.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'message.call.id' })]));
  });

  it('starts two workflows for tool calls whose ids would have collided as transfer-<callId>-<toolCallId>', async () => {
    const { app, start } = appWith();
    const first = buildToolCallsPayload({ callId: 'X-x1', toolCallId: 'call_b' });
    const second = buildToolCallsPayload({ callId: 'X', toolCallId: 'x1-call_b' });

    const answers = [await request(app).post('/webhook').send(first.body), await request(app).post('/webhook').send(second.body)];

    expect(answers.map((answer) => answer.body.results[0].result)).toEqual([
      'Transfer in progress: connecting the caller now.',
      'Transfer in progress: connecting the caller now.',
    ]);
    const ids = start.mock.calls.map((call) => (call[1] as { workflowId: string }).workflowId);
    expect(ids).toEqual(['transfer:X-x1:call_b', 'transfer:X:x1-call_b']);
  });

  it('gives every (call, tool call) pair its own workflow id, colons in the ids included', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9._:%-]{1,12}$/);
    fc.assert(
      fc.property(id, id, id, id, (callA, toolA, callB, toolB) => {
        fc.pre(callA !== callB || toolA !== toolB);
        expect(transferWorkflowId(callA, toolA)).not.toBe(transferWorkflowId(callB, toolB));
      }),
    );
    expect(transferWorkflowId('a:b', 'c')).not.toBe(transferWorkflowId('a', 'b:c'));
    expect(transferWorkflowId('6a300fe7-f6fb-471c-aa11-baebd7a44a5d', 'call_22b023a1')).toBe('transfer:6a300fe7-f6fb-471c-aa11-baebd7a44a5d:call_22b023a1');
  });

  it('answers 503 when Temporal cannot take the start, so Vapi may retry', async () => {
    const client = recordingClient();
    client.start.mockRejectedValue(new Error('14 UNAVAILABLE: connection refused'));
    const { app } = appWith({}, client);

    const response = await request(app).post('/webhook').send(buildToolCallsPayload().body);

    expect(response.status).toBe(503);
    expect(response.body.error).toBe('temporal_unavailable');
  });

  it.each([
    'status-update.in-progress-webcall-with-monitor-2024-09.json',
    'status-update.ended-assistant-request-invalid-2024-07.json',
    'end-of-call-report.vapi4k-inbound-phone-2024-07.json',
    'end-of-call-report.webcall-with-controlurl-2026-02.json',
    'assistant-request.vapi4k-inbound-2024-07.json',
    'function-call.legacy-vapi4k-webcall-2024-09.json',
  ])('answers the real informational payload %s with 200 and starts nothing', async (name) => {
    const { app, start } = appWith();

    const response = await request(app).post('/webhook').send(fixture(name));

    expect(response.status).toBe(200);
    expect(start).not.toHaveBeenCalled();
  });

  it.each(['tool-calls.vapi4k-inbound-phone-2024-08.json', 'tool-calls.vapi4k-squad-inbound-2024-07.json', 'tool-calls.vapi4k-squad-webcall-2024-09.json'])(
    'answers the real tool-calls payload %s (another tool, no controlUrl) with an error result per call',
    async (name) => {
      const { app, start } = appWith();
      const payload = fixture(name);

      const response = await request(app).post('/webhook').send(payload);

      expect(response.status).toBe(200);
      expect(response.body.results).toHaveLength(payload.message.toolCallList.length);
      expect(response.body.results[0]).toMatchObject({ toolCallId: payload.message.toolCallList[0].id, error: expect.stringMatching(/^Unknown tool/) });
      expect(start).not.toHaveBeenCalled();
    },
  );

  it('treats a real tool-calls payload as a transfer when its tool is configured as the transfer tool', async () => {
    const payload = fixture('tool-calls.vapi4k-inbound-phone-2024-08.json');
    const { app, start } = appWith({ transferToolNames: ['getRealWeatherByCity_001'] });

    const response = await request(app).post('/webhook').send(payload);

    // The 2024 capture predates call.monitor: the honest answer is that it cannot be transferred.
    expect(response.body.results[0]).toMatchObject({ error: LIVE_CALL_CONTROL_HELP });
    expect(start).not.toHaveBeenCalled();
  });
});

describe('GET /healthz and /readyz', () => {
  it('reports the process up, and readiness from Temporal and the workers', async () => {
    const { app } = appWith({ readiness: async () => ({ ready: false, temporal: 'reachable', workflowPollers: 0 }) });

    const health = await request(app).get('/healthz');
    const ready = await request(app).get('/readyz');

    expect(health.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ ready: false, temporal: 'reachable', workflowPollers: 0 });
  });
});

describe('POST /webhook with a transfer-destination-request', () => {
  /** The workflow id each Update-with-Start asked for; the recorded update itself answers with an error, which Vapi hears. */
  function startedIds(client: ReturnType<typeof recordingClient>): string[] {
    return client.executeUpdateWithStart.mock.calls.map((call) => (call[1] as { startWorkflowOperation: { options: { workflowId: string } } }).startWorkflowOperation.options.workflowId);
  }

  it('keys the workflow by the message timestamp, so a redelivery joins the same workflow', async () => {
    const client = recordingClient();
    const { app } = appWith({}, client);
    const message = fixture('transfer-destination-request.SYNTHETIC.json');

    await request(app).post('/webhook').send(message);
    await request(app).post('/webhook').send(message);

    expect(startedIds(client)).toEqual([
      transferWorkflowId(message.message.call.id, 'dest-1727030665008'),
      transferWorkflowId(message.message.call.id, 'dest-1727030665008'),
    ]);
  });

  it('keys a request without a timestamp by a digest of its body, never by the clock: the same bytes join one workflow, other bytes get another', async () => {
    const client = recordingClient();
    let clock = Date.parse('2026-11-25T15:00:00.000Z');
    const { app } = appWith({ now: () => new Date((clock += 1_000)) }, client);
    const message = fixture('transfer-destination-request.SYNTHETIC.json');
    delete message.message.timestamp;
    const raw = JSON.stringify(message);
    const other = JSON.stringify({ ...message, message: { ...message.message, artifact: { messages: [] } } });

    for (const body of [raw, raw, other]) await request(app).post('/webhook').set('content-type', 'application/json').send(body);

    const ids = startedIds(client);
    const digest = createHash('sha256').update(raw).digest('hex').slice(0, 32);
    expect(ids[0]).toBe(transferWorkflowId(message.message.call.id, `dest-sha256-${digest}`));
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });
});
