import request from 'supertest';
import { LexiconToneJudge } from '../../src/integrations/tone';
import { DemoCrm } from '../../src/integrations/crm';
import { buildToolCallsPayload } from '../../src/dev/vapi-payloads';
import { demoContactCenter } from '../support/factories';
import { rosterOf } from '../../src/config/contact-center';
import { InMemoryFloor } from '../support/in-memory-floor';
import { appWith } from '../support/test-app';
import { createMetrics } from '../../src/observability/metrics';

const TOKEN = 'admin-token-for-tests';

function operatorApp() {
  const center = demoContactCenter();
  const floor = new InMemoryFloor(rosterOf(center));
  const { app } = appWith({
    operator: { adminToken: TOKEN, floor, contactCenter: center, crm: new DemoCrm(center), tone: new LexiconToneJudge(), transferToolNames: ['transfer_call'] },
  });
  return { app, floor };
}

const auth = { authorization: `Bearer ${TOKEN}` };

/** The only sales agent in us-east on a call, and two sales callers waiting in line behind them. */
async function busySalesFloor(floor: InMemoryFloor): Promise<void> {
  const sales = { department: 'sales', candidateOffices: ['us-east'], language: 'en', seniorRequired: false, knownAgent: null, exclude: [] };
  const taken = await floor.reserve({ type: 'reserve', transferId: 'on-a-call', criteria: sales, ttlSeconds: 600 });
  expect(taken.agentId).toBe('a-dev');
  await floor.notify({ type: 'connected', transferId: 'on-a-call', agentId: 'a-dev', department: 'sales' });
  for (const transferId of ['waits-1', 'waits-2']) {
    const waits = await floor.reserve({ type: 'reserve', transferId, criteria: sales, ttlSeconds: 600, line: { priority: 0 } });
    expect(waits.queued).toBeDefined();
  }
}

describe('operator endpoints', () => {
  it.each([
    ['GET', '/agents'],
    ['POST', '/agents/a-ana/status'],
    ['POST', '/routing/explain'],
    ['GET', '/queues'],
  ])('refuse %s %s without the admin token', async (method, path) => {
    const { app } = operatorApp();

    const response = await (method === 'GET' ? request(app).get(path) : request(app).post(path).send({})).set('authorization', 'Bearer wrong');

    expect(response.status).toBe(401);
  });

  it('lists agents with their state and since when, counts per state, and takes one offline', async () => {
    const { app, floor } = operatorApp();

    const changed = await request(app).post('/agents/a-ana/status').set(auth).send({ status: 'offline' });
    const listed = await request(app).get('/agents').set(auth);

    expect(changed.body).toMatchObject({ id: 'a-ana', state: 'offline', presence: 'offline' });
    expect(listed.body).toMatchObject({ total: 12, offset: 0, counts: { available: 11, offline: 1, reserved: 0, 'on-call': 0, 'wrap-up': 0 } });
    expect(listed.body.agents).toHaveLength(12);
    expect(listed.body.agents[0]).toMatchObject({ id: 'a-ana', name: 'Ana Ruiz', state: 'offline', since: expect.any(String), load: 0, maxConcurrent: 1, departments: ['support', 'billing'] });
    expect((await floor.liveStates()).agents['a-ana']).toMatchObject({ status: 'offline' });
  });

  it('pages and filters agents: by department, by state, by id', async () => {
    const { app } = operatorApp();
    await request(app).post('/agents/a-ben/status').set(auth).send({ status: 'offline' });

    const page = await request(app).get('/agents?offset=2&limit=3').set(auth);
    const billing = await request(app).get('/agents?department=billing').set(auth);
    const offline = await request(app).get('/agents?state=offline').set(auth);
    const search = await request(app).get('/agents?search=han').set(auth);

    expect(page.body).toMatchObject({ total: 12, offset: 2 });
    expect(page.body.agents.map((agent: { id: string }) => agent.id)).toEqual(['a-chloe', 'a-dev', 'a-elena']);
    expect(billing.body.agents.every((agent: { departments: string[] }) => agent.departments.includes('billing'))).toBe(true);
    expect(offline.body.agents.map((agent: { id: string }) => agent.id)).toEqual(['a-ben']);
    expect(search.body.agents.map((agent: { id: string }) => agent.id)).toEqual(['a-hans']);
  });

  it('marks an agent on a call ready again: the hold ends and they take the next caller', async () => {
    const { app, floor } = operatorApp();
    await floor.reserve({ type: 'reserve-listed', transferId: 't-1', candidates: ['a-dev'], ttlSeconds: 60 });
    await floor.notify({ type: 'connected', transferId: 't-1', agentId: 'a-dev', department: 'sales' });

    const held = (await request(app).get('/agents?search=a-dev').set(auth)).body.agents[0];
    const ready = await request(app).post('/agents/a-dev/status').set(auth).send({ status: 'available' });

    expect(held).toMatchObject({ state: 'on-call', load: 1, assignments: [expect.objectContaining({ transferId: 't-1', state: 'on-call' })] });
    expect(ready.body).toMatchObject({ id: 'a-dev', state: 'available', load: 0 });
  });

  it('refuses a bad page request with 400 and changes nothing', async () => {
    const { app } = operatorApp();

    for (const query of ['limit=0', 'limit=100000', 'state=sleeping', 'offset=-1', 'department=..%2F', 'color=red']) {
      expect((await request(app).get(`/agents?${query}`).set(auth)).status).toBe(400);
    }
  });

  it('refuses an unknown agent (404) and an invented status (400)', async () => {
    const { app } = operatorApp();

    expect((await request(app).post('/agents/a-nobody/status').set(auth).send({ status: 'offline' })).status).toBe(404);
    expect((await request(app).post('/agents/a-ana/status').set(auth).send({ status: 'on-break' })).status).toBe(400);
  });

  it('explains the decision routing-rules.md prescribes, with reasons, for live agent state, reserving nothing', async () => {
    const { app, floor } = operatorApp();
    await floor.setStatus('a-ana', 'offline');
    const { body } = buildToolCallsPayload({ arguments: { department: 'billing', reason: 'invoice', urgency: 'medium' }, callerNumber: '+12125550111' });

    const response = await request(app).post('/routing/explain').set(auth).send({ message: body.message, at: '2026-11-25T15:00:00Z' });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      department: 'billing',
      office: 'us-east',
      language: 'en',
      mode: 'warm-transfer-say-summary',
      agentId: 'a-chloe',
      destination: { type: 'number', number: '+12025550103' },
    });
    expect(response.body.reasons).toEqual(expect.arrayContaining(['Last agent a-ana does not qualify now.']));
    expect((await floor.liveStates()).agents['a-chloe']).toMatchObject({ activeTransfers: 0 });
  });

  it.each([
    ['an anonymous billing caller on Saturday night', { department: 'billing' }, '+12025550177', 'after-hours voicemail'],
    ['an enterprise billing caller on Saturday night', { department: 'billing', customerId: 'c-1001' }, '+12025550177', 'enterprise-24x7 line'],
    ['a caller whose words match no department', { department: 'gardening' }, '+12025550177', 'general line'],
  ])("labels the destination by where the call goes, not by the department: %s", async (_name, args, caller, label) => {
    const { app } = operatorApp();
    const { body } = buildToolCallsPayload({ arguments: { ...args, urgency: 'medium' }, callerNumber: caller });

    const response = await request(app).post('/routing/explain').set(auth).send({ message: body.message, at: '2026-11-29T03:00:00Z' });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ agentId: null, label });
  });

  it('explains that a caller would wait in line when every qualified agent is busy, with the place they would take', async () => {
    const { app, floor } = operatorApp();
    await busySalesFloor(floor);
    const { body } = buildToolCallsPayload({ arguments: { department: 'sales', urgency: 'medium' }, callerNumber: '+12025550177' });

    const response = await request(app).post('/routing/explain').set(auth).send({ message: body.message, at: '2026-11-25T15:00:00Z' });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ department: 'sales', agentId: null, label: "waits in sales's line", waitsInLine: { position: 3, waiting: 3 } });
    expect((await floor.lines()).find((line) => line.department === 'sales')?.waiting).toBe(2);
  });

  it("lists every department's line: who waits in the order they will be served, the oldest wait, the service level", async () => {
    const { app, floor } = operatorApp();
    await busySalesFloor(floor);

    const response = await request(app).get('/queues').set(auth);

    expect(response.status).toBe(200);
    const sales = response.body.lines.find((line: { department: string }) => line.department === 'sales');
    expect(sales).toMatchObject({ waiting: 2, maxWaiting: 10, serviceLevel: { targetSeconds: 30, answered: 0 }, entries: [{ transferId: 'waits-1', position: 1 }, { transferId: 'waits-2', position: 2 }] });
    expect(response.body.lines.map((line: { department: string }) => line.department).sort()).toEqual(['billing', 'sales', 'support']);
  });

  it('exports the lines as gauges read from the floor at each scrape', async () => {
    const { floor } = operatorApp();
    await busySalesFloor(floor);
    const metrics = createMetrics({ departments: ['sales', 'support', 'billing'], defaultMetrics: false });

    metrics.watchLines(() => floor.lines());
    const text = await metrics.render();

    expect(text).toMatch(/^switchboard_line_waiting\{department="sales"\} 2$/m);
    expect(text).toMatch(/^switchboard_line_oldest_wait_seconds\{department="sales"\} \d+$/m);
    expect(text).toMatch(/^switchboard_line_max_wait_seconds\{department="sales"\} 300$/m);
    expect(text).not.toMatch(/^switchboard_line_oldest_wait_seconds\{department="billing"\}/m);
  });

  it('refuses an explain request without a transfer tool call', async () => {
    const { app } = operatorApp();

    const response = await request(app).post('/routing/explain').set(auth).send({ message: { type: 'tool-calls' } });

    expect(response.status).toBe(400);
  });
});
