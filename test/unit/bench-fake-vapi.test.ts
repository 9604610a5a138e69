import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { destinationKey } from '../../bench/harness/contact-center-generator';
import { startFakeVapi } from '../../bench/harness/fake-vapi';
import type { FakeVapi } from '../../bench/harness/fake-vapi';
import { postJson } from '../../bench/harness/webhook-client';

interface Received {
  at: number;
  /** The same moment in epoch ms, the clock of the fake's ready marks. */
  epoch: number;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

describe("the bench's fake Vapi playing the agents", () => {
  let vapi: FakeVapi;
  let api: http.Server;
  let apiUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    vapi = await startFakeVapi();
    api = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ at: performance.now(), epoch: Date.now(), url: `${req.method} ${req.url}`, authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(req.url?.includes('a-gone') ? 404 : 200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await vapi.close();
    api.closeAllConnections();
    await new Promise<void>((resolve) => api.close(() => resolve()));
  });

  it('marks the agent a transfer went to ready after its handle time, once per call, with the admin token; lines are nobody', async () => {
    const agents = new Map([
      ['number:+16015550100', 'a-0001'],
      ['sip:sip:a-gone@emea.pbx.example.com', 'a-gone'],
    ]);
    vapi.reset();
    vapi.readyAgents({
      apiUrl,
      adminToken: 'the-admin-token',
      agentFor: (destination) => agents.get(destinationKey(destination)),
      handleTimeMs: () => 300,
    });
    const transfer = (callId: string, destination: unknown) => postJson(vapi.control.controlUrlFor(callId), { type: 'transfer', destination });

    const sentAt = performance.now();
    await transfer('call-1', { type: 'number', number: '+16015550100' });
    await transfer('call-1', { type: 'number', number: '+16015550100' });
    await transfer('call-2', { type: 'number', number: '+18005550101' });
    await transfer('call-3', { type: 'sip', sipUri: 'sip:a-gone@emea.pbx.example.com' });
    expect(received).toEqual([]);
    await vapi.readyCallsSettled();

    expect(received.map(({ url, authorization, body }) => ({ url, authorization, body }))).toEqual([
      { url: 'POST /agents/a-0001/status', authorization: 'Bearer the-admin-token', body: { status: 'available' } },
      { url: 'POST /agents/a-gone/status', authorization: 'Bearer the-admin-token', body: { status: 'available' } },
    ]);
    expect(received[0]!.at - sentAt).toBeGreaterThanOrEqual(300);
    expect(vapi.readyCalls()).toEqual({ scheduled: 2, sent: 2, accepted: 1 });
  });

  it('records each ready mark it sent, when it left and when the API accepted it (never, for a refusal), across a reset', async () => {
    const agents = new Map([
      ['number:+16015550100', 'a-0001'],
      ['sip:sip:a-gone@emea.pbx.example.com', 'a-gone'],
    ]);
    const before = vapi.readyMarks().length;
    vapi.readyAgents({ apiUrl, adminToken: 'the-admin-token', agentFor: (destination) => agents.get(destinationKey(destination)), handleTimeMs: () => 50 });
    const transferredAt = Date.now();

    await postJson(vapi.control.controlUrlFor('call-5'), { type: 'transfer', destination: { type: 'number', number: '+16015550100' } });
    await postJson(vapi.control.controlUrlFor('call-6'), { type: 'transfer', destination: { type: 'sip', sipUri: 'sip:a-gone@emea.pbx.example.com' } });
    await vapi.readyCallsSettled();
    vapi.reset();
    const marks = vapi.readyMarks().slice(before);

    expect(marks.map((mark) => mark.agentId).sort()).toEqual(['a-0001', 'a-gone']);
    const accepted = marks.find((mark) => mark.agentId === 'a-0001')!;
    expect(accepted.sentAt).toBeGreaterThanOrEqual(transferredAt + 50);
    expect(accepted.acceptedAt).toBeGreaterThan(accepted.sentAt);
    expect(accepted.acceptedAt).toBeLessThanOrEqual(Date.now() + 1);
    expect(marks.find((mark) => mark.agentId === 'a-gone')!.acceptedAt).toBeNull();
    vapi.readyAgents(null);
  });

  it('stops marking agents ready once told to', async () => {
    received.length = 0;
    vapi.reset();
    vapi.readyAgents(null);

    await postJson(vapi.control.controlUrlFor('call-4'), { type: 'transfer', destination: { type: 'number', number: '+16015550100' } });
    await vapi.readyCallsSettled();

    expect(received).toEqual([]);
    expect(vapi.readyCalls()).toEqual({ scheduled: 0, sent: 0, accepted: 0 });
  });

  it('knows when each ready mark left and when its 2xx came back, so a measurement can start at the mark', async () => {
    received.length = 0;
    vapi.reset();
    const before = vapi.readyMarks().length;
    vapi.readyAgents({ apiUrl, adminToken: 'the-admin-token', agentFor: () => 'a-0001', handleTimeMs: () => 50 });

    await postJson(vapi.control.controlUrlFor('call-5'), { type: 'transfer', destination: { type: 'number', number: '+16015550100' } });
    await vapi.readyCallsSettled();
    vapi.readyAgents(null);

    const marks = vapi.readyMarks().slice(before);
    expect(marks).toEqual([{ agentId: 'a-0001', sentAt: expect.any(Number), acceptedAt: expect.any(Number) }]);
    expect(marks[0]!.sentAt).toBeLessThanOrEqual(received[0]!.epoch);
    expect(marks[0]!.acceptedAt).toBeGreaterThanOrEqual(received[0]!.epoch);
  });

  it("hangs a caller up as Vapi says so: a status-update 'ended' by the customer, naming the call and its control URL", async () => {
    received.length = 0;
    vapi.reset();

    expect(await vapi.hangUp(`${apiUrl}/webhook`, 'call-6')).toBe(true);

    expect(received).toEqual([
      expect.objectContaining({
        url: 'POST /webhook',
        body: {
          message: expect.objectContaining({
            type: 'status-update',
            status: 'ended',
            endedReason: 'customer-ended-call',
            call: expect.objectContaining({ id: 'call-6', status: 'ended', monitor: { controlUrl: vapi.control.controlUrlFor('call-6') } }),
          }),
        },
      }),
    ]);
    expect(vapi.hangUps()).toEqual({ sent: 1, accepted: 1 });
  });
});

describe("the chaos fake Vapi's word on commands it answered with an error", () => {
  let vapi: FakeVapi;

  beforeAll(async () => {
    vapi = await startFakeVapi();
  });

  afterAll(async () => {
    await vapi.close();
  });

  const callStatus = async (callId: string) => ((await (await fetch(`${vapi.apiBaseUrl}/call/${callId}`)).json()) as { status: string }).status;

  it('counts a transfer it took behind a 502 as acted on, and its API says the call is forwarding', async () => {
    vapi.reset();
    vapi.answerWith(() => ({ status: 502, body: {}, acted: true }));

    const answer = await postJson(vapi.control.controlUrlFor('call-taken'), { type: 'transfer', destination: { type: 'number', number: '+16015550100' } });

    expect(answer.status).toBe(502);
    expect(vapi.commands()).toEqual([{ callId: 'call-taken', type: 'transfer' }]);
    expect(vapi.actedDespiteError()).toBe(1);
    expect(await callStatus('call-taken')).toBe('forwarding');
  });

  it('does not count a transfer it dropped, whatever it answered, and its API says the call is still in progress', async () => {
    vapi.reset();
    vapi.answerWith(() => ({ status: 200, body: {}, acted: false }));

    await postJson(vapi.control.controlUrlFor('call-dropped'), { type: 'transfer', destination: { type: 'number', number: '+16015550100' } });

    expect(vapi.commands()).toEqual([]);
    expect(vapi.refusedCommands()).toBe(1);
    expect(await callStatus('call-dropped')).toBe('in-progress');
  });

  it('keeps what a say said, so a hold can be told from an apology', async () => {
    vapi.reset();
    vapi.answerWith(() => ({ status: 200, body: {} }));

    await postJson(vapi.control.controlUrlFor('call-held'), { type: 'say', content: 'One moment please' });

    expect(vapi.commands()).toEqual([{ callId: 'call-held', type: 'say', said: 'One moment please' }]);
  });
});
