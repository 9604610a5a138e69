import request from 'supertest';
import { LexiconToneJudge } from '../../src/integrations/tone';
import { DemoCrm } from '../../src/integrations/crm';
import { buildToolCallsPayload } from '../../src/dev/vapi-payloads';
import { demoContactCenter } from '../support/factories';
import { InMemoryAgentDirectory } from '../support/in-memory-agents';
import { appWith } from '../support/test-app';

const TOKEN = 'admin-token-for-tests';

function operatorApp() {
  const center = demoContactCenter();
  const agents = new InMemoryAgentDirectory();
  const { app } = appWith({
    operator: { adminToken: TOKEN, agents, contactCenter: center, crm: new DemoCrm(center), tone: new LexiconToneJudge(), transferToolNames: ['transfer_call'] },
  });
  return { app, agents };
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

  it('lists agents with live state and takes one offline', async () => {
    const { app, agents } = operatorApp();

    const changed = await request(app).post('/agents/a-ana/status').set(auth).send({ status: 'offline' });
    const listed = await request(app).get('/agents').set(auth);

    expect(changed.body).toMatchObject({ id: 'a-ana', status: 'offline' });
    expect(listed.body.agents).toHaveLength(12);
    expect(listed.body.agents[0]).toMatchObject({ id: 'a-ana', status: 'offline', activeTransfers: 0 });
    expect(agents.agents.get('a-ana')!.status).toBe('offline');
  });

  it('refuses an unknown agent (404) and an invented status (400)', async () => {
    const { app } = operatorApp();

    expect((await request(app).post('/agents/a-nobody/status').set(auth).send({ status: 'offline' })).status).toBe(404);
    expect((await request(app).post('/agents/a-ana/status').set(auth).send({ status: 'on-break' })).status).toBe(400);
  });

  it('explains the decision routing-rules.md prescribes, with reasons, for live agent state, reserving nothing', async () => {
    const { app, agents } = operatorApp();
    await agents.setStatus('a-ana', 'offline');
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
    expect(agents.agents.get('a-chloe')).toBeUndefined();
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
