import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import request from 'supertest';
import { loadConfig } from '../../src/config/env';
import { buildToolCallsPayload } from '../../src/dev/vapi-payloads';
import { createLogger } from '../../src/observability/logger';
import type { WebhookAuthConfig } from '../../src/vapi/webhook-auth';
import { recordingClient } from '../support/recording-client';
import { appWith } from '../support/test-app';

const CALL = '5b7f0a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const SECRET = 'sb-test-secret-3f9a1c';
const VAPI = `https://phone-call-websocket.aws-us-west-2-backend-production1.vapi.ai`;

function transfer(mutate?: (message: Record<string, any>) => void): Record<string, any> {
  const { body } = buildToolCallsPayload({ callId: CALL, controlUrl: `${VAPI}/${CALL}/control` });
  mutate?.(body.message as unknown as Record<string, any>);
  return body as unknown as Record<string, any>;
}

const withControlUrl = (url: unknown) =>
  transfer((m) => {
    m.call.monitor.controlUrl = url;
  });

function hmacHeaders(raw: string, options: { timestamp?: string; secret?: string; signature?: string } = {}) {
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const signature = options.signature ?? createHmac('sha256', options.secret ?? SECRET).update(`${timestamp}.${raw}`).digest('hex');
  return { 'x-timestamp': timestamp, 'x-signature': signature };
}

type Case = {
  name: string;
  status: number;
  auth?: WebhookAuthConfig;
  method?: 'get' | 'post' | 'put';
  contentType?: string | null;
  headers?: Record<string, string>;
  body: string | Record<string, unknown> | unknown[] | null;
};

const rawOf = (body: Case['body']) => (typeof body === 'string' ? body : JSON.stringify(body));
const bearer: WebhookAuthConfig = { mode: 'bearer', secret: SECRET };
const hmac: WebhookAuthConfig = { mode: 'hmac', secret: SECRET };
const okBody = transfer();
const okRaw = JSON.stringify(okBody);

const CASES: Case[] = [
  // Not JSON, or not a Vapi message at all.
  { name: 'GET on the webhook', method: 'get', status: 404, body: null },
  { name: 'PUT on the webhook', method: 'put', status: 404, body: okBody },
  { name: 'text/plain body', contentType: 'text/plain', status: 415, body: okRaw },
  { name: 'form-encoded body', contentType: 'application/x-www-form-urlencoded', status: 415, body: 'message=hi' },
  { name: 'no content type', contentType: null, status: 415, body: okRaw },
  { name: 'truncated JSON', status: 400, body: okRaw.slice(0, 200) },
  { name: 'empty body', status: 400, body: '' },
  { name: 'JSON null', status: 400, body: 'null' },
  { name: 'JSON array', status: 400, body: [okBody] },
  { name: 'JSON string', status: 400, body: '"tool-calls"' },
  { name: 'empty object', status: 400, body: {} },
  { name: 'message is null', status: 400, body: { message: null } },
  { name: 'message type is a number', status: 400, body: { message: { type: 7 } } },
  { name: 'message type is empty', status: 400, body: { message: { type: '' } } },
  { name: 'deeply nested JSON', status: 400, body: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
  // Malformed tool-calls.
  { name: 'tool-calls without call', status: 400, body: transfer((m) => delete m.call) },
  { name: 'call id is a number', status: 400, body: transfer((m) => (m.call.id = 12345)) },
  { name: 'call id that would break a visibility query', status: 400, body: transfer((m) => (m.call.id = "x' OR VapiCallId != '")) },
  { name: 'call id of 300 characters', status: 400, body: transfer((m) => (m.call.id = 'a'.repeat(300))) },
  { name: 'tool call list is an object', status: 400, body: transfer((m) => (m.toolCallList = { 0: m.toolCallList[0] })) },
  { name: 'no tool call list at all', status: 400, body: transfer((m) => { delete m.toolCallList; delete m.toolCalls; delete m.toolWithToolCallList; }) },
  { name: 'tool call without id', status: 400, body: transfer((m) => delete m.toolCallList[0].id) },
  { name: 'tool call id with a path separator', status: 400, body: transfer((m) => (m.toolCallList[0].id = '../../x')) },
  { name: 'tool call without a function name', status: 400, body: transfer((m) => delete m.toolCallList[0].function.name) },
  { name: '65 tool calls in one message', status: 400, body: transfer((m) => (m.toolCallList = Array.from({ length: 65 }, (_, i) => ({ ...m.toolCallList[0], id: `call_${i}` })))) },
  { name: 'timestamp is an object', status: 400, body: transfer((m) => (m.timestamp = { at: 'now' })) },
  // SSRF: controlUrls that are not this call's Vapi endpoint.
  { name: 'controlUrl on the cloud metadata address', status: 400, body: withControlUrl('http://169.254.169.254/latest/meta-data/') },
  { name: 'controlUrl on the metadata address over https', status: 400, body: withControlUrl(`https://169.254.169.254/${CALL}/control`) },
  { name: 'controlUrl on localhost', status: 400, body: withControlUrl(`http://localhost:3000/${CALL}/control`) },
  { name: 'controlUrl on IPv6 loopback', status: 400, body: withControlUrl(`http://[::1]/${CALL}/control`) },
  { name: 'controlUrl on a decimal IP', status: 400, body: withControlUrl(`http://2852039166/${CALL}/control`) },
  { name: 'controlUrl on a foreign host', status: 400, body: withControlUrl(`https://attacker.example.com/${CALL}/control`) },
  { name: 'controlUrl on a look-alike suffix', status: 400, body: withControlUrl(`https://phone-call-websocket.vapi.ai.attacker.com/${CALL}/control`) },
  { name: 'controlUrl on a look-alike domain', status: 400, body: withControlUrl(`https://evilvapi.ai/${CALL}/control`) },
  { name: 'controlUrl on the bare apex', status: 400, body: withControlUrl(`https://vapi.ai/${CALL}/control`) },
  { name: 'controlUrl over plain http', status: 400, body: withControlUrl(`http://phone-call-websocket.aws-us-west-2-backend-production1.vapi.ai/${CALL}/control`) },
  { name: 'controlUrl with credentials', status: 400, body: withControlUrl(`https://user:pw@phone-call-websocket.vapi.ai/${CALL}/control`) },
  { name: 'controlUrl with userinfo hiding the host', status: 400, body: withControlUrl(`https://phone-call-websocket.vapi.ai@attacker.com/${CALL}/control`) },
  { name: "another call's controlUrl", status: 400, body: withControlUrl(`${VAPI}/00000000-0000-4000-8000-000000000000/control`) },
  { name: 'controlUrl with a traversal out of the call', status: 400, body: withControlUrl(`${VAPI}/${CALL}/control/../../other/control`) },
  { name: 'controlUrl with a query', status: 400, body: withControlUrl(`${VAPI}/${CALL}/control?redirect=https://attacker.com`) },
  { name: 'controlUrl with another scheme', status: 400, body: withControlUrl(`ftp://phone-call-websocket.vapi.ai/${CALL}/control`) },
  { name: 'controlUrl that is not a URL', status: 400, body: withControlUrl('not a url') },
  { name: 'controlUrl that is a number', status: 400, body: withControlUrl(42) },
  { name: 'controlUrl of 5000 characters', status: 400, body: withControlUrl(`${VAPI}/${'a'.repeat(5000)}/control`) },
  // Oversized.
  { name: 'a 2 MB body', status: 413, body: transfer((m) => (m.padding = 'x'.repeat(2 * 1024 * 1024))) },
  // Forged or missing credentials.
  { name: 'bearer: no Authorization header', auth: bearer, status: 401, body: okBody },
  { name: 'bearer: wrong secret', auth: bearer, headers: { authorization: 'Bearer not-the-secret' }, status: 401, body: okBody },
  { name: 'bearer: secret without the Bearer prefix', auth: bearer, headers: { authorization: SECRET }, status: 401, body: okBody },
  { name: 'bearer: secret with a suffix', auth: bearer, headers: { authorization: `Bearer ${SECRET}x` }, status: 401, body: okBody },
  { name: 'bearer: a prefix of the secret', auth: bearer, headers: { authorization: `Bearer ${SECRET.slice(0, 8)}` }, status: 401, body: okBody },
  { name: 'hmac: no signature', auth: hmac, headers: { 'x-timestamp': String(Math.floor(Date.now() / 1000)) }, status: 401, body: okBody },
  { name: 'hmac: no timestamp', auth: hmac, headers: { 'x-signature': hmacHeaders(okRaw)['x-signature'] }, status: 401, body: okBody },
  { name: 'hmac: signed with another secret', auth: hmac, headers: hmacHeaders(okRaw, { secret: 'other' }), status: 401, body: okBody },
  { name: 'hmac: signature of another body', auth: hmac, headers: hmacHeaders(JSON.stringify(transfer((m) => (m.toolCallList[0].id = 'call_other')))), status: 401, body: okBody },
  { name: 'hmac: stale timestamp (10 minutes old)', auth: hmac, headers: hmacHeaders(okRaw, { timestamp: String(Math.floor(Date.now() / 1000) - 600) }), status: 401, body: okBody },
  { name: 'hmac: timestamp 10 minutes ahead', auth: hmac, headers: hmacHeaders(okRaw, { timestamp: String(Math.floor(Date.now() / 1000) + 600) }), status: 401, body: okBody },
  { name: 'hmac: timestamp that is not a number', auth: hmac, headers: hmacHeaders(okRaw, { timestamp: 'yesterday' }), status: 401, body: okBody },
  { name: 'hmac: empty signature', auth: hmac, headers: { ...hmacHeaders(okRaw), 'x-signature': '' }, status: 401, body: okBody },
  // Other message types that are malformed where it matters.
  { name: 'transfer-destination-request without call', status: 400, body: { message: { type: 'transfer-destination-request' } } },
  { name: 'transfer-destination-request with an injected call id', status: 400, body: { message: { type: 'transfer-destination-request', call: { id: "a' OR '1'='1" } } } },
];

function send(app: ReturnType<typeof appWith>['app'], testCase: Case) {
  const method = testCase.method ?? 'post';
  let req = request(app)[method]('/webhook');
  if (testCase.contentType !== null) req = req.set('content-type', testCase.contentType ?? 'application/json');
  for (const [name, value] of Object.entries(testCase.headers ?? {})) req = req.set(name, value);
  return testCase.body === null ? req : req.send(rawOf(testCase.body));
}

describe('hostile and malformed requests to POST /webhook', () => {
  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('refuses $name with $status, a JSON error, and starts nothing', async (testCase) => {
    const client = recordingClient();
    const { app } = appWith({ webhookAuth: testCase.auth ?? { mode: 'none' } }, client);

    const response = await send(app, testCase);

    expect(response.status).toBe(testCase.status);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(typeof response.body.error).toBe('string');
    expect(client.start).not.toHaveBeenCalled();
    expect(client.signal).not.toHaveBeenCalled();
    expect(client.executeUpdateWithStart).not.toHaveBeenCalled();
  });

  it('accepts the same request when it is correctly signed (bearer and hmac), so the refusals above are about the forgery', async () => {
    for (const [auth, headers] of [
      [bearer, { authorization: `Bearer ${SECRET}` }],
      [{ mode: 'bearer', secret: SECRET, headerName: 'x-vapi-secret' } as WebhookAuthConfig, { 'x-vapi-secret': SECRET }],
      [hmac, hmacHeaders(okRaw)],
      [hmac, hmacHeaders(okRaw, { timestamp: String(Date.now()) })],
    ] as const) {
      const client = recordingClient();
      const { app } = appWith({ webhookAuth: auth }, client);

      const response = await request(app).post('/webhook').set('content-type', 'application/json').set(headers).send(okRaw);

      expect(response.status).toBe(200);
      expect(client.start).toHaveBeenCalledTimes(1);
    }
  });

  it('never writes the webhook secret, the presented credential or the controlUrl to the logs', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: 'trace', destination: sink });
    const { app } = appWith({ webhookAuth: bearer, logger });

    await request(app).post('/webhook').set('content-type', 'application/json').set('authorization', 'Bearer guessed-secret-123').send(okRaw);
    await request(app).post('/webhook').set('content-type', 'application/json').set('authorization', `Bearer ${SECRET}`).send(okRaw);
    await request(app).post('/webhook').set('content-type', 'application/json').set('authorization', `Bearer ${SECRET}`).send(JSON.stringify(withControlUrl('https://attacker.example.com/x/control')));

    const logged = lines.join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain('guessed-secret-123');
    expect(logged).not.toContain('/control');
    expect(logged).not.toContain('attacker.example.com');
    expect(logged).not.toContain('+12125550111');
  });

  it('answers 429 to a client that exceeds the rate limit', async () => {
    const { app } = appWith({ rateLimitPerMinute: 3 });

    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await request(app).post('/webhook').send({ message: { type: 'hang' } })).status);

    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  /** Two clients behind one load balancer: every request reaches Switchboard from the balancer's address. */
  async function throughOneProxy(app: Parameters<typeof request>[0]): Promise<{ first: number[]; second: number }> {
    const first: number[] = [];
    for (let i = 0; i < 3; i += 1) first.push((await request(app).post('/webhook').set('x-forwarded-for', '203.0.113.7').send({ message: { type: 'hang' } })).status);
    const second = (await request(app).post('/webhook').set('x-forwarded-for', '198.51.100.23').send({ message: { type: 'hang' } })).status;
    return { first, second };
  }

  it('limits two clients behind a trusted proxy (TRUST_PROXY) separately, by their X-Forwarded-For addresses', async () => {
    const { app } = appWith({ rateLimitPerMinute: 2, trustProxy: loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy });

    expect(await throughOneProxy(app)).toEqual({ first: [200, 200, 429], second: 200 });
  });

  it('limits clients behind a proxy as one without TRUST_PROXY: they all share the proxy’s address', async () => {
    const { app } = appWith({ rateLimitPerMinute: 2, trustProxy: loadConfig({}).trustProxy });

    expect(await throughOneProxy(app)).toEqual({ first: [200, 200, 429], second: 429 });
  });

  it('answers 429 to a call that floods the webhook, starting nothing for it, while another call from the same address goes through', async () => {
    const { app, start } = appWith({ rateLimitPerCallPerMinute: 3 });
    const flooding = buildToolCallsPayload();
    const report = { message: { type: 'status-update', status: 'in-progress', call: { id: flooding.callId } } };

    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await request(app).post('/webhook').send(report)).status);
    const refused = await request(app).post('/webhook').send(flooding.body);
    const other = await request(app).post('/webhook').send(buildToolCallsPayload().body);

    expect(statuses).toEqual([200, 200, 200]);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: 'rate_limited' });
    expect(other.status).toBe(200);
    expect(start).toHaveBeenCalledTimes(1);
    expect(start.mock.calls[0]![1]).toMatchObject({ args: [expect.not.objectContaining({ callId: flooding.callId })] });
  });
});

describe('fuzzing POST /webhook with mutated real payloads', () => {
  const seeds = [
    transfer(),
    transfer((m) => delete m.call.monitor),
    JSON.parse(JSON.stringify(require('../fixtures/vapi/status-update.in-progress-webcall-with-monitor-2024-09.json'))),
    JSON.parse(JSON.stringify(require('../fixtures/vapi/end-of-call-report.webcall-with-controlurl-2026-02.json'))),
    JSON.parse(JSON.stringify(require('../fixtures/vapi/transfer-destination-request.SYNTHETIC.json'))),
    JSON.parse(JSON.stringify(require('../fixtures/vapi/tool-calls.vapi4k-squad-inbound-2024-07.json'))),
  ];

  /** Every path to a value in the object, so a mutation can hit any leaf or branch. */
  function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    out.push(prefix);
    if (value && typeof value === 'object' && prefix.length < 8) {
      for (const [key, child] of Object.entries(value)) paths(child, [...prefix, Array.isArray(value) ? Number(key) : key], out);
    }
    return out;
  }

  function mutate(seed: unknown, path: (string | number)[], replacement: unknown, remove: boolean): unknown {
    const copy = JSON.parse(JSON.stringify(seed));
    if (path.length === 0) return replacement;
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key];
    const last = path[path.length - 1]!;
    if (remove) delete node[last];
    else node[last] = replacement;
    return copy;
  }

  it('never answers 5xx, whatever part of a real message is removed or replaced', async () => {
    const client = recordingClient();
    const { app } = appWith({ rateLimitPerMinute: 1_000_000 }, client);

    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.nat(),
        fc.oneof(fc.jsonValue(), fc.string(), fc.constantFrom('', null, -1, 1e308, '__proto__', "' OR 1=1 --", 'http://169.254.169.254/')),
        fc.boolean(),
        async (seedIndex, pathPick, replacement, remove) => {
          const seed = seeds[seedIndex];
          const all = paths(seed);
          const body = mutate(seed, all[pathPick % all.length]!, replacement, remove);

          const response = await request(app).post('/webhook').set('content-type', 'application/json').send(JSON.stringify(body) ?? 'null');

          expect(response.status).toBeLessThan(500);
          if (response.status === 200 && Array.isArray(response.body.results)) {
            for (const result of response.body.results) expect(String(result.result ?? result.error)).not.toMatch(/\n/);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
