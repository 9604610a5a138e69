import request from 'supertest';
import { LexiconToneJudge } from '../../src/integrations/tone';
import { DemoCrm } from '../../src/integrations/crm';
import { buildToolCallsPayload } from '../../src/dev/vapi-payloads';
import { demoContactCenter } from '../support/factories';
import { rosterOf } from '../../src/config/contact-center';
import { InMemoryFloor } from '../support/in-memory-floor';
import { appWith } from '../support/test-app';

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

describe('operator endpoints', () => {
  it.each([
    ['GET', '/agents'],
    ['POST', '/agents/a-ana/status'],
    ['POST', '/routing/explain'],
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

  it('refuses an explain request without a transfer tool call', async () => {
    const { app } = operatorApp();

    const response = await request(app).post('/routing/explain').set(auth).send({ message: { type: 'tool-calls' } });

    expect(response.status).toBe(400);
  });
});
