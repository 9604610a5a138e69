import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { spawnTypeScript } from '../../bench/harness/processes';
import type { ManagedProcess } from '../../bench/harness/processes';
import { rosterOf } from '../../src/config/contact-center';
import { TemporalFloorClient } from '../../src/integrations/floor-client';
import { HttpVapiCalls } from '../../src/integrations/vapi-calls';
import { VapiCallStatus } from '../../src/integrations/call-status';
import { TransferConsole } from '../../src/operations/transfer-console';
import { freePort } from '../../src/temporal/free-port';
import { createReadinessCheck } from '../../src/temporal/readiness';
import { parseAllowedHosts } from '../../src/vapi/control-url';
import { BILLING_CRITERIA, onlyAgentFor } from '../support/callbacks';
import { activitiesWith, alwaysOpenContactCenter } from '../support/factories';
import { connectTestEnv, uniqueTaskQueue } from '../support/temporal';
import { appWith } from '../support/test-app';
import { floorBackedActivities, startTestWorkers } from '../support/workers';

// `npm run simulate -- --callback` as an operator runs it, against a Switchboard API on a real port whose
// workers place calls back through the simulator's own fake Vapi API (VAPI_BASE_URL pointing at it).

const ADMIN = 'simulate-callback-admin-token';

let env: TestWorkflowEnvironment;
let stopWorkers: () => Promise<void>;
let server: Server;
let webhookUrl: string;
let vapiPort: number;
let floor: TemporalFloorClient;
const started: ManagedProcess[] = [];

beforeAll(async () => {
  env = await connectTestEnv();
  vapiPort = await freePort();
  const taskQueue = uniqueTaskQueue('simulate-callback');
  // Billing has one agent: one busy caller fills the line's only place.
  const contactCenter = onlyAgentFor(alwaysOpenContactCenter({ lines: true }), 'billing', 'a-ana');
  const vapi = { apiKey: 'simulator', baseUrl: `http://127.0.0.1:${vapiPort}` };
  const { activities } = floorBackedActivities(env, taskQueue, { contactCenter, vapiCalls: new HttpVapiCalls(vapi), vapiPhoneNumberId: 'simulator-number', callStatus: new VapiCallStatus(vapi) });
  stopWorkers = (await startTestWorkers(env, taskQueue, activities)).stop;
  floor = new TemporalFloorClient(env.client.workflow, taskQueue, () => rosterOf(contactCenter));
  const transfers = new TransferConsole({ workflowClient: env.client.workflow, taskQueue, callStatus: { status: async () => null } });
  const { app } = appWith({
    allowedHosts: parseAllowedHosts(['*.vapi.ai', '127.0.0.1']),
    taskQueue,
    workflowClient: env.client.workflow,
    readiness: createReadinessCheck(env.client, taskQueue),
    timings: { outcomeTimeoutSeconds: 30, fallbackCheckSeconds: 1, warmDialSeconds: 1 },
    callbacks: true,
    now: () => new Date(),
    transfers,
    operator: { adminToken: ADMIN, floor, contactCenter, crm: activitiesWith().deps.crm, tone: activitiesWith().deps.tone, transferToolNames: ['transfer_call'] },
  });
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map((child) => child.stop(2_000)));
  await new Promise((resolve) => server?.close(resolve));
  await stopWorkers?.();
  await env?.teardown();
});

function simulate(args: string[]): ManagedProcess {
  const child = spawnTypeScript('src/cli/simulate.ts', {
    name: `simulate ${args.join(' ')}`,
    args: ['--url', webhookUrl, ...args],
    env: { ADMIN_TOKEN: undefined, DATA_DIR: undefined, DEV_SERVER_PORT: undefined, PORT: undefined, LOG_LEVEL: 'error' },
  });
  started.push(child);
  return child;
}

describe('npm run simulate -- --callback', () => {
  it('plays a caller who waits, asks for a call back and hangs up, then plays Vapi placing the call back once and putting it through', async () => {
    const child = simulate(['--callback', '--busy', '1', '--admin-token', ADMIN, '--vapi-port', String(vapiPort)]);
    const code = await child.exited;
    const output = child.outputTail();

    expect(output).toContain("Calls placed back through Vapi's API: 1; put through to the agent.");
    expect(code).toBe(0);
    expect(output).toMatch(/The caller waits in line; the assistant was told: Every billing agent is busy\. The caller is next in line/);
    expect(output).toMatch(/"type":"add-message"/);
    expect(output).toMatch(/The caller asks to be called back \(request_callback\): HTTP 200 Promise the caller a call back/);
    expect(output).toMatch(/The caller hangs up: status-update ended \(customer-ended-call\) -> HTTP 200/);
    expect(output).toMatch(/Agent a-ana is ready for the next caller \(POST \/agents\/a-ana\/status available -> HTTP 200\)/);
    expect(output).toMatch(/Vapi API: POST \/call \(callback:\S+, attempt 1\) -> HTTP 201, call (\S+) queued/);
    const outbound = /-> HTTP 201, call (\S+) queued/.exec(output)![1]!;
    expect(output).toContain(`status-update ringing for call ${outbound} -> HTTP 200`);
    expect(output).toContain(`status-update in-progress for call ${outbound} -> HTTP 200`);
    expect(output).toMatch(new RegExp(`POST /${outbound}/control -> HTTP 200\\n {2}\\{"type":"transfer"`));
    expect(output).toContain(`status-update forwarding for call ${outbound} -> HTTP 200`);
    expect(output).toContain("Calls placed back through Vapi's API: 1; put through to the agent.");
    expect(output).not.toContain('+12125550111');
  }, 90_000);
});

describe('npm run simulate -- --hang-up-after', () => {
  it('prints what the assistant is told while the caller waits in line, and hangs up after the given seconds as Vapi reports it', async () => {
    // Billing's only agent is busy (still on the call back, or held here): the caller waits in line.
    await floor.reserve({ type: 'reserve', transferId: 'another-caller', criteria: BILLING_CRITERIA, ttlSeconds: 600 });
    const child = simulate(['--hang-up-after', '2']);
    const code = await child.exited;
    const output = child.outputTail();

    expect(code).toBe(0);
    expect(output).toMatch(/the assistant is told \(add-message\): Every billing agent is busy\. The caller is (next|number \d+) in line/);
    expect(output).toMatch(/The caller hangs up after 2 s: status-update ended \(customer-ended-call\) -> HTTP 200/);
    expect(output).toContain('The caller hung up before anyone was put through.');
    expect(output).toMatch(/Control commands received for this call: 1\n {2}POST \S+\/control -> HTTP 200\n {2}\{"type":"add-message"/);
  }, 60_000);
});
