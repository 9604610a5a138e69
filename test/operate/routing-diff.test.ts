import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadContactCenter, rosterOf, routingPolicyOf } from '../../src/config/contact-center';
import { DEFAULT_ROUTING_CONFIG } from '../../src/config/env';
import { TRANSFER_WORKFLOW_TYPE, callEventSignal, transferStatusQuery } from '../../src/contracts';
import type { TransferRequest } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { TemporalFloorClient } from '../../src/integrations/floor-client';
import { startTestWorkers, floorBackedActivities } from '../support/workers';
import { formatRoutingDiff } from '../../src/operations/routing-diff';
import { TransferConsole } from '../../src/operations/transfer-console';
import { createDataConverter } from '../../src/temporal/data-converter';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import { transferStartOptions } from '../../src/temporal/transfer-start';
import { switchboard } from '../support/cli';
import { eventually } from '../support/eventually';
import { activitiesWith, transferRequest } from '../support/factories';
import { connectTestEnv, uniqueTaskQueue } from '../support/temporal';
import { appWith } from '../support/test-app';

const ADMIN = 'routing-diff-admin-token';
const KEY = randomBytes(32);
const KEYS = `k1:${KEY.toString('base64')}`;
const taskQueue = uniqueTaskQueue('routing-diff');
const dataConverter = createDataConverter(new AesGcmPayloadCodec([{ id: 'k1', key: KEY }]));
const dir = mkdtempSync(path.join(tmpdir(), 'routing-diff-'));

/** The demo routing file with every office open around the clock, so the recorded decisions do not depend on the hour. */
type RoutingFile = { offices: Record<string, { hours: Record<string, string>; holidays: string[] }>; [key: string]: unknown };
const openFile = parseYaml(readFileSync(DEFAULT_ROUTING_CONFIG, 'utf8')) as RoutingFile;
for (const office of Object.values(openFile.offices)) {
  office.hours = { 'mon-sun': '00:00-24:00' };
  office.holidays = [];
}
function writeRoutingFile(name: string, change: (file: RoutingFile & { departments: Record<string, { aliases: string[] }>; agents: { id: string; office: string }[] }) => void = () => {}): string {
  const file = structuredClone(openFile) as Parameters<typeof change>[0];
  change(file);
  const at = path.join(dir, name);
  writeFileSync(at, stringifyYaml(file));
  return at;
}
const recordedFile = writeRoutingFile('recorded.yaml');
const candidates = {
  same: writeRoutingFile('same.yaml'),
  agentMoved: writeRoutingFile('agent-moved.yaml', (file) => {
    file.agents.find((agent) => agent.id === 'a-dev')!.office = 'us-west';
  }),
  aliasMoved: writeRoutingFile('alias-moved.yaml', (file) => {
    file.departments.billing!.aliases = file.departments.billing!.aliases.filter((alias) => alias !== 'invoice');
    file.departments.support!.aliases.push('invoice');
  }),
  enterpriseBlind: writeRoutingFile('enterprise-blind.yaml', (file) => {
    (file['transfer-modes'] as Record<string, string>).enterprise = 'blind-transfer';
  }),
  invalid: path.join(dir, 'invalid.yaml'),
};
writeFileSync(candidates.invalid, readFileSync(recordedFile, 'utf8').replace('blind-transfer', 'blind-transfers'));

let env: TestWorkflowEnvironment;
let control: FakeControlServer;
let client: Client;
let workers: Awaited<ReturnType<typeof startTestWorkers>>;
let console: TransferConsole;
const calls: Record<'enterprise' | 'support' | 'sales' | 'invoice', string> = { enterprise: '', support: '', sales: '', invoice: '' };

/** Runs one transfer to its end the way Vapi would: the transfer is POSTed, then Vapi reports it forwarded. */
async function transfer(overrides: Partial<TransferRequest>): Promise<string> {
  const req = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30, ...overrides });
  const handle = await client.workflow.start(TRANSFER_WORKFLOW_TYPE, transferStartOptions(req, taskQueue));
  await control.waitForCommands(req.callId, 1);
  await handle.signal(callEventSignal, { kind: 'forwarding' });
  await handle.result();
  expect((await handle.query(transferStatusQuery)).outcome).toBe('transferred');
  return req.callId;
}

const byTheseCalls = () => `VapiCallId IN (${Object.values(calls).map((id) => `'${id}'`).join(', ')})`;

beforeAll(async () => {
  env = await connectTestEnv();
  control = await startFakeControlServer();
  client = new Client({ connection: env.connection, namespace: 'default', dataConverter });
  workers = await startTestWorkers(env, taskQueue, floorBackedActivities(env, taskQueue, { contactCenter: loadContactCenter(recordedFile) }, client).activities, { dataConverter });
  console = new TransferConsole({ workflowClient: client.workflow, taskQueue, callStatus: { status: async () => null }, routingPolicy: routingPolicyOf(loadContactCenter(recordedFile)) });

  // One after the other, so each decision sees the agents the earlier ones left: a-ana served the first.
  calls.enterprise = await transfer({ department: 'billing', customerId: 'c-1001' });
  const anonymous = { customerId: undefined, callerNumber: '+12025550177' };
  calls.support = await transfer({ department: 'support', ...anonymous });
  calls.sales = await transfer({ department: undefined, reason: 'I would like to upgrade my plan', ...anonymous });
  calls.invoice = await transfer({ department: undefined, reason: 'a question about my invoice', ...anonymous });
  await eventually(
    () => console.list({ callId: calls.invoice }),
    (listed) => listed.transfers.length === 1,
  );
}, 120_000);

afterAll(async () => {
  await workers?.stop();
  await control?.close();
  await env?.teardown();
});

describe('routing diff', () => {
  it('finds nothing changed against the routing file the transfers recorded, or with no candidate at all', async () => {
    const same = await console.diffRouting({ candidate: routingPolicyOf(loadContactCenter(candidates.same)), query: byTheseCalls() });
    const recorded = await console.diffRouting({ query: byTheseCalls() });

    expect(same).toMatchObject({ compared: 4, changed: 0, unchanged: 4, skipped: 0, transfers: [] });
    expect(recorded).toMatchObject({ compared: 4, changed: 0, skipped: 0 });
  });

  it('shows the one sales call an agent moving office sends to the sales line, and why', async () => {
    const report = await console.diffRouting({ candidate: routingPolicyOf(loadContactCenter(candidates.agentMoved)), query: byTheseCalls() });

    expect(report).toMatchObject({ compared: 4, changed: 1, byDepartment: { sales: 1 }, byKind: { 'other agent': 1 } });
    expect(report.transfers[0]).toMatchObject({
      workflowId: expect.stringContaining(calls.sales),
      before: { department: 'sales', agentId: 'a-dev', mode: 'blind-transfer', destination: '+12025550104', label: 'agent a-dev' },
      after: { department: 'sales', agentId: null, mode: 'blind-transfer', destination: '+12025550152', label: 'sales line', agentIs: 'ranked' },
      kinds: ['other agent'],
    });
    expect(report.transfers[0]!.firstDifference?.after).toBe('Agents (all requirements): no agent qualifies.');
    expect(formatRoutingDiff(report, 'agent-moved.yaml')).toContain('  sales: agent a-dev +12025550104 (blind-transfer)  →  sales: sales line +12025550152 (blind-transfer) [ranked]');
  });

  it('shows the one invoice call a moved department alias sends to support instead of billing', async () => {
    const report = await console.diffRouting({ candidate: routingPolicyOf(loadContactCenter(candidates.aliasMoved)), query: byTheseCalls() });

    expect(report).toMatchObject({ compared: 4, changed: 1, byDepartment: { billing: 1 } });
    expect(report.transfers[0]).toMatchObject({
      workflowId: expect.stringContaining(calls.invoice),
      before: { department: 'billing', agentId: 'a-chloe' },
      after: { department: 'support', agentId: expect.stringMatching(/^a-/), agentIs: 'ranked' },
      kinds: ['other department', 'other agent'],
    });
    // The transfer recorded the live state of its own candidates (billing's), not the support agents': those are
    // treated as available, and the report says so.
    expect(report.agentsTreatedAsAvailable).toEqual(expect.arrayContaining(['a-ben', 'a-elena']));
    expect(report.transfers[0]!.firstDifference).toEqual({
      before: 'Department billing: the reason mentions "invoice".',
      after: 'Department support: the reason mentions "invoice".',
    });
  });

  it('shows the one enterprise call a changed enterprise mode would have transferred blind', async () => {
    const report = await console.diffRouting({ candidate: routingPolicyOf(loadContactCenter(candidates.enterpriseBlind)), query: byTheseCalls() });

    expect(report).toMatchObject({ compared: 4, changed: 1, byKind: { 'other mode': 1 } });
    expect(report.transfers[0]).toMatchObject({
      workflowId: expect.stringContaining(calls.enterprise),
      before: { agentId: 'a-ana', mode: 'warm-transfer-say-summary' },
      after: { agentId: 'a-ana', mode: 'blind-transfer' },
      kinds: ['other mode'],
    });
  });

  it('counts a retried transfer once, comparing its latest run that recorded a routing decision', async () => {
    // The first run is refused by the control URL and compensates; an operator's retry runs the same workflow id again.
    const req = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30, department: 'sales', customerId: undefined, callerNumber: '+12025550178' });
    // a-dev took the earlier sales call and stays on it until marked ready: ready now, for this one.
    await new TemporalFloorClient(client.workflow, taskQueue, () => rosterOf(loadContactCenter(recordedFile))).setStatus('a-dev', 'available');
    control.respondWith((command) => (command.callId === req.callId && control.commandsFor(req.callId).length === 1 ? { status: 400, body: {} } : { status: 200, body: {} }));
    const first = await client.workflow.start(TRANSFER_WORKFLOW_TYPE, transferStartOptions(req, taskQueue));
    await first.result().catch(() => undefined);
    const retried = await console.retry(first.workflowId, { force: true });
    await eventually(
      async () => control.commandsFor(req.callId).filter((command) => (command.body as { type?: string }).type === 'transfer').length,
      (transfers) => transfers === 2,
    );
    await client.workflow.getHandle(first.workflowId, retried.runId).signal(callEventSignal, { kind: 'forwarding' });
    await client.workflow.getHandle(first.workflowId, retried.runId).result();
    const runs = await eventually(
      () => console.list({ callId: req.callId }),
      (listed) => listed.transfers.length === 2,
    );
    expect(runs.transfers.map((run) => run.workflowId)).toEqual([first.workflowId, first.workflowId]);

    const report = await console.diffRouting({ candidate: routingPolicyOf(loadContactCenter(candidates.agentMoved)), query: `VapiCallId = '${req.callId}'` });

    expect(report).toMatchObject({ compared: 1, changed: 1, skipped: 0 });
    expect(report.transfers).toEqual([expect.objectContaining({ workflowId: first.workflowId, runId: retried.runId })]);
  });

  it('answers POST /routing/diff with the report for a candidate sent as YAML, and 400 with the check message for an invalid one', async () => {
    const { app } = appWith({
      taskQueue,
      workflowClient: client.workflow,
      operator: {
        adminToken: ADMIN,
        transfers: console,
        floor: new TemporalFloorClient(client.workflow, taskQueue, () => rosterOf(loadContactCenter(recordedFile))),
        contactCenter: loadContactCenter(recordedFile),
        crm: activitiesWith().deps.crm,
        tone: activitiesWith().deps.tone,
        transferToolNames: ['transfer_call'],
      },
    });
    const admin = { authorization: `Bearer ${ADMIN}` };

    const diffed = await request(app).post('/routing/diff').set(admin).send({ config: readFileSync(candidates.agentMoved, 'utf8'), query: byTheseCalls() });
    const refused = await request(app).post('/routing/diff').set(admin).send({ config: readFileSync(candidates.invalid, 'utf8') });
    const unauthorised = await request(app).post('/routing/diff').send({});

    expect(diffed.status).toBe(200);
    expect(diffed.body).toMatchObject({ compared: 4, changed: 1, transfers: [{ before: { agentId: 'a-dev' }, after: { agentId: null } }] });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_routing_config', message: expect.stringMatching(/config: transfer-modes\.standard: .*did you mean "blind-transfer"/) });
    expect(unauthorised.status).toBe(401);
  });
});

describe('npx switchboard routing diff', () => {
  const cluster = () => ({ TEMPORAL_ADDRESS: env.address, PAYLOAD_ENCRYPTION_KEYS: KEYS });

  it('prints JSON and exits 1 with --fail-on-change when a transfer would change', async () => {
    const result = await switchboard(['routing', 'diff', '--config', candidates.enterpriseBlind, '--query', byTheseCalls(), '--json', '--fail-on-change'], cluster());

    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ compared: 4, changed: 1, skipped: 0 });
    expect(report.transfers[0]).toMatchObject({ before: { mode: 'warm-transfer-say-summary' }, after: { mode: 'blind-transfer' }, reasons: { before: expect.any(Array), after: expect.any(Array) } });
  });

  it('exits 0 and says so when nothing would change', async () => {
    const result = await switchboard(['routing', 'diff', '--config', candidates.same, '--query', byTheseCalls(), '--fail-on-change'], cluster());

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/4 transfers compared, 0 changed, 4 unchanged, 0 skipped/);
  });

  it('exits 2 with the routing:check message when the candidate file is invalid', async () => {
    const result = await switchboard(['routing', 'diff', '--config', candidates.invalid, '--query', byTheseCalls()], cluster());

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Invalid routing configuration:\n.*invalid\.yaml: .*did you mean "blind-transfer"/);
  });

  it('reads encrypted histories only with the keys: without them it names PAYLOAD_ENCRYPTION_KEYS and exits 1', async () => {
    const result = await switchboard(['routing', 'diff', '--query', byTheseCalls()], { TEMPORAL_ADDRESS: env.address, PAYLOAD_ENCRYPTION_KEYS: '' });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/PAYLOAD_ENCRYPTION_KEYS/);
  });
});
