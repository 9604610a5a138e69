import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import request from 'supertest';
import { transferWorkflowId } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { unknownCallStatus } from '../../src/integrations/call-status';
import type { CrmAdapter } from '../../src/integrations/crm';
import { HttpCrm } from '../../src/integrations/crm/http-crm';
import { HubSpotCrm, transferMarker } from '../../src/integrations/crm/hubspot-crm';
import { PostgresCrm } from '../../src/integrations/crm/postgres-crm';
import { TransferConsole } from '../../src/operations/transfer-console';
import { freePort } from '../../src/temporal/free-port';
import { createReadinessCheck } from '../../src/temporal/readiness';
import { switchboard } from '../support/cli';
import { transferRequest } from '../support/factories';
import type { HttpCrmServer } from '../support/http-crm-server';
import { startHttpCrmServer } from '../support/http-crm-server';
import type { HubSpotStandIn } from '../support/hubspot-stand-in';
import { startHubSpotStandIn } from '../support/hubspot-stand-in';
import { testDatabaseUrl, testPool } from '../support/postgres';
import { runTransfer } from '../support/run-transfer';
import { connectTestEnv, productionWorkerOptions, uniqueTaskQueue, workflowBundle } from '../support/temporal';
import { appWith } from '../support/test-app';

/**
 * One transfer through each real CRM adapter, on the real dev server with a real worker: the caller is found
 * in that CRM and routed by its record, the agent's note is there once, a refused transfer leaves it marked,
 * and a CRM that is down routes the caller as anonymous.
 */

let env: TestWorkflowEnvironment;
let control: FakeControlServer;
let pool: Pool;
let httpCrm: HttpCrmServer;
let hubspot: HubSpotStandIn;
const HUBSPOT_TOKEN = 'pat-e2e';
const adapters: CrmAdapter[] = [];
/** A number no other test uses: the enterprise caller every adapter knows. */
const callerNumber = `+1917${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
const customerId = `c-${randomUUID().slice(0, 8)}`;
const transfers: string[] = [];

function track<T extends CrmAdapter>(adapter: T): T {
  adapters.push(adapter);
  return adapter;
}

interface AdapterCase {
  name: string;
  crm(): CrmAdapter;
  down(): Promise<CrmAdapter>;
  /** How many notes the CRM holds for the transfer, counted in the CRM itself. */
  notesFor(transferId: string): Promise<number>;
}

const CASES: AdapterCase[] = [
  {
    name: 'PostgreSQL',
    crm: () => track(new PostgresCrm({ url: testDatabaseUrl(), timeoutMs: 1_000 })),
    down: async () => track(new PostgresCrm({ url: `postgres://postgres@127.0.0.1:${await freePort()}/crm`, timeoutMs: 300 })),
    notesFor: async (transferId) => (await pool.query('SELECT count(*)::int AS n FROM switchboard_transfer_notes WHERE transfer_id = $1', [transferId])).rows[0].n,
  },
  {
    name: 'HTTP',
    crm: () => track(new HttpCrm({ baseUrl: httpCrm.baseUrl, token: 'crm-token', authHeader: 'authorization', timeoutMs: 1_000 })),
    down: async () => track(new HttpCrm({ baseUrl: `http://127.0.0.1:${await freePort()}`, authHeader: 'authorization', timeoutMs: 300 })),
    notesFor: async (transferId) => (httpCrm.notes.has(transferId) ? 1 : 0),
  },
  {
    name: 'HubSpot',
    crm: () =>
      track(
        new HubSpotCrm({
          accessToken: HUBSPOT_TOKEN,
          baseUrl: hubspot.baseUrl,
          timeoutMs: 1_000,
          phoneProperties: ['phone'],
          properties: { tier: 'customer_tier', language: 'hs_language', lastAgent: 'last_agent_id' },
        }),
      ),
    down: async () =>
      track(
        new HubSpotCrm({
          accessToken: HUBSPOT_TOKEN,
          baseUrl: `http://127.0.0.1:${await freePort()}`,
          timeoutMs: 300,
          phoneProperties: ['phone'],
          properties: { tier: 'customer_tier', language: 'hs_language', lastAgent: 'last_agent_id' },
        }),
      ),
    notesFor: async (transferId) => [...hubspot.notes.values()].filter((note) => note.properties.hs_note_body?.includes(transferMarker(transferId))).length,
  },
];

beforeAll(async () => {
  env = await connectTestEnv();
  control = await startFakeControlServer();
  pool = testPool();
  const postgres = new PostgresCrm({ url: testDatabaseUrl(), timeoutMs: 5_000 });
  await postgres.migrate();
  await postgres.close();
  await pool.query(
    "INSERT INTO switchboard_customers (id, name, phone, tier, language, office, last_agent_id) VALUES ($1, 'Dana Whitfield (Initech)', $2, 'enterprise', 'en', 'us-east', 'a-ana')",
    [customerId, callerNumber],
  );
  httpCrm = await startHttpCrmServer({ token: 'crm-token' });
  httpCrm.customers.push({ id: customerId, name: 'Dana Whitfield (Initech)', phone: callerNumber, tier: 'enterprise', language: 'en', office: 'us-east', lastAgentId: 'a-ana' });
  hubspot = await startHubSpotStandIn({ token: HUBSPOT_TOKEN });
  hubspot.addContact({ firstname: 'Dana', lastname: 'Whitfield', phone: callerNumber, customer_tier: 'enterprise', hs_language: 'en', last_agent_id: 'a-ana' });
});

afterAll(async () => {
  await Promise.all(adapters.map((adapter) => adapter.close()));
  await pool?.query('DELETE FROM switchboard_customers WHERE id = $1', [customerId]);
  await pool?.query('DELETE FROM switchboard_transfer_notes WHERE transfer_id = ANY($1)', [transfers]);
  await pool?.end();
  await httpCrm?.close();
  await hubspot?.close();
  await control?.close();
  await env?.teardown();
});

function callerRequest() {
  const built = transferRequest({ controlBaseUrl: control.baseUrl, callerNumber });
  transfers.push(transferWorkflowId(built.callId, built.toolCallId));
  return built;
}

describe.each(CASES)('a transfer through the $name CRM', (adapter) => {
  it('routes the caller by their record in that CRM, and the agent’s note is there once, as `transfers show` prints it', async () => {
    const crm = adapter.crm();
    const transfer = callerRequest();

    const { value, status, handle } = await runTransfer(env, transfer, { deps: { crm } });

    expect(value?.outcome).toBe('transfer-initiated');
    expect(status.steps.find((step) => step.name === 'enrichCustomer')).toMatchObject({ status: 'completed' });
    // Enterprise callers get a warm transfer with a spoken summary (rule 6): the tier came from this CRM.
    expect(value?.decision).toMatchObject({ mode: 'warm-transfer-say-summary' });
    expect(await adapter.notesFor(handle.workflowId)).toBe(1);
    const details = await new TransferConsole({ workflowClient: env.client.workflow, taskQueue: 'unused', callStatus: unknownCallStatus, crm }).show(handle.workflowId);
    // Vapi accepted the transfer (and reported nothing more): the note says the call went to the agent.
    expect(details.note).toMatchObject({
      transferId: handle.workflowId,
      status: 'transferred',
      text: expect.stringContaining(`Transfer to agent ${value!.decision!.agentId} in billing, urgency medium.`),
    });
  });

  it('leaves the note marked not transferred when the transfer is refused', async () => {
    const crm = adapter.crm();
    const transfer = callerRequest();
    control.respondWith((command) => (command.callId === transfer.callId ? { status: 400, body: { error: 'refused' } } : { status: 200, body: {} }));

    const { error, handle } = await runTransfer(env, transfer, { deps: { crm } });
    control.respondWith(() => ({ status: 200, body: {} }));

    expect(error).toBeDefined();
    expect(await adapter.notesFor(handle.workflowId)).toBe(1);
    expect(await crm.findTransferNote(handle.workflowId)).toMatchObject({ status: 'not-transferred', statusReason: 'transfer not completed' });
  });

  it('routes the caller as anonymous when the CRM is down, and still transfers', async () => {
    const crm = await adapter.down();
    const transfer = callerRequest();

    const { value, status } = await runTransfer(env, transfer, { deps: { crm } });

    expect(value?.outcome).toBe('transfer-initiated');
    expect(status.steps.find((step) => step.name === 'enrichCustomer')).toMatchObject({ status: 'failed' });
    expect(status.steps.find((step) => step.name === 'postSummary')).toMatchObject({ status: 'failed' });
    // Anonymous callers are standard tier: a blind transfer.
    expect(value?.decision).toMatchObject({ mode: 'blind-transfer' });
    expect(control.commandsFor(transfer.callId)).toHaveLength(1);
  });
});

describe('GET /readyz with a CRM that cannot be reached', () => {
  it('reports the CRM unreachable and stays ready: transfers go on without it', async () => {
    const taskQueue = uniqueTaskQueue('readyz');
    const down = await CASES[0]!.down();
    // A worker polling the queue is all readiness asks of Temporal; the CRM is the question here.
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), ...productionWorkerOptions() });
    const { app } = appWith({ taskQueue, workflowClient: env.client.workflow, readiness: createReadinessCheck(env.client, taskQueue, { crm: down }) });

    await worker.runUntil(async () => {
      let response = await request(app).get('/readyz');
      for (let tries = 0; response.status !== 200 && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        response = await request(app).get('/readyz');
      }
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        ready: true,
        temporal: 'reachable',
        workflowPollers: expect.any(Number),
        crm: { kind: 'postgres', status: 'unreachable', error: expect.stringMatching(/^PostgreSQL check failed \(ECONNREFUSED\)$/) },
      });
    });
  });
});

describe('the note’s status as operators read it', () => {
  it('`npx switchboard transfers show` prints the status the CRM holds now, with its label and reason, above the note', async () => {
    const crm = track(new HttpCrm({ baseUrl: httpCrm.baseUrl, token: 'crm-token', authHeader: 'authorization', timeoutMs: 1_000 }));
    // The control POST's answer is lost and Vapi cannot be asked: the transfer ends unknown, and the note says so.
    control.respondWith((command) => ((command.body as { type: string }).type === 'transfer' ? { status: 502, body: {} } : { status: 200, body: {} }));
    const { handle, value } = await runTransfer(env, callerRequest(), { deps: { crm } });
    control.respondWith(() => ({ status: 200, body: {} }));
    const { noteId } = (await crm.findTransferNote(handle.workflowId))!;

    const shown = await switchboard(['transfers', 'show', handle.workflowId], { CRM_URL: httpCrm.baseUrl, CRM_HTTP_TOKEN: 'crm-token' });

    expect(value?.outcome).toBe('unknown');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`\n  note ${noteId}: OUTCOME UNKNOWN (the transfer may or may not have reached the caller)\n    Transfer to agent a-`);
  });
});
