import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { spawnTypeScript } from '../../bench/harness/processes';
import type { ManagedProcess } from '../../bench/harness/processes';
import type { ContactCenter } from '../../src/config/contact-center';
import { TemporalFloorClient } from '../../src/integrations/floor-client';
import { rosterOf } from '../../src/config/contact-center';
import { floorBackedActivities, startTestWorkers } from '../support/workers';
import { TransferConsole } from '../../src/operations/transfer-console';
import { createReadinessCheck } from '../../src/temporal/readiness';
import { parseAllowedHosts } from '../../src/vapi/control-url';
import { switchboard } from '../support/cli';
import { activitiesWith, alwaysOpenContactCenter, demoContactCenter } from '../support/factories';
import { connectTestEnv, uniqueTaskQueue } from '../support/temporal';
import { appWith } from '../support/test-app';

// The operator's own tools (the simulator, routing:explain, the transfer CLI) run as an operator runs them,
// against a Switchboard API listening on a real port with a real worker behind it.

const ADMIN = 'operator-tools-admin-token';
const ANONYMOUS_CALLER = '+12025550177';

let env: TestWorkflowEnvironment;
const workers: Awaited<ReturnType<typeof startTestWorkers>>[] = [];
const servers: Server[] = [];
const started: ManagedProcess[] = [];

interface Service {
  webhookUrl: string;
  transfers: TransferConsole;
}
let open: Service;
let closed: Service;

/** The demo contact center on a weekend night: every office closed, whatever time the test runs. */
function closedContactCenter(): ContactCenter {
  const center = demoContactCenter();
  return { ...center, offices: center.offices.map((office) => ({ ...office, hours: {} })) };
}

/** A worker on its own task queue and the API in front of it, listening on a free port. */
async function serve(contactCenter: ContactCenter): Promise<Service> {
  const taskQueue = uniqueTaskQueue('operator-tools');
  const floor = new TemporalFloorClient(env.client.workflow, taskQueue, () => rosterOf(contactCenter));
  workers.push(await startTestWorkers(env, taskQueue, floorBackedActivities(env, taskQueue, { contactCenter }).activities));
  const transfers = new TransferConsole({ workflowClient: env.client.workflow, taskQueue, callStatus: { status: async () => null } });
  const { app } = appWith({
    allowedHosts: parseAllowedHosts(['*.vapi.ai', '127.0.0.1']),
    taskQueue,
    workflowClient: env.client.workflow,
    readiness: createReadinessCheck(env.client, taskQueue),
    timings: { outcomeTimeoutSeconds: 30, fallbackCheckSeconds: 1, warmDialSeconds: 1 },
    transfers,
    operator: { adminToken: ADMIN, floor, contactCenter, crm: activitiesWith().deps.crm, tone: activitiesWith().deps.tone, transferToolNames: ['transfer_call'] },
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  servers.push(server);
  return { webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`, transfers };
}

/** `npm run simulate -- …` against `service`, as its own process; no ADMIN_TOKEN unless given. */
function simulate(service: Service, args: string[], extraEnv: Record<string, string | undefined> = {}): ManagedProcess {
  const child = spawnTypeScript('src/cli/simulate.ts', {
    name: `simulate ${args.join(' ')}`,
    args: ['--url', service.webhookUrl, ...args],
    env: { ADMIN_TOKEN: undefined, DATA_DIR: undefined, DEV_SERVER_PORT: undefined, PORT: undefined, LOG_LEVEL: 'error', ...extraEnv },
  });
  started.push(child);
  return child;
}

async function finished(child: ManagedProcess): Promise<{ code: number | null; output: string }> {
  const code = await child.exited;
  return { code, output: child.outputTail() };
}

const workflowIdIn = (output: string) => /npx switchboard transfers show (\S+)/.exec(output)![1]!;

beforeAll(async () => {
  env = await connectTestEnv();
  [open, closed] = await Promise.all([serve(alwaysOpenContactCenter()), serve(closedContactCenter())]);
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map((child) => child.stop(2_000)));
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  for (const running of workers) await running.stop();
  await env?.teardown();
});

describe('npm run simulate', () => {
  it('counts a refused transfer as not accepted, says what happened, and that a retry cannot reach the call once it exits', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'switchboard-elsewhere-'));

    const { code, output } = await finished(simulate(open, ['--reject-transfer'], { DATA_DIR: dataDir }));

    expect(code).toBe(0);
    expect(output).not.toMatch(/Transfers executed/);
    expect(output).toContain('Transfers accepted: 0; refused by the control server: 1 (Switchboard compensates: summary marked not transferred, agent released, caller told)');
    expect(output).toMatch(/-> HTTP 400\n/);
    expect(output).toContain('retrying this transfer (npx switchboard transfers retry) will fail to reach the call. To retry a simulated transfer, run the simulator with --wait');
    // The hint runs the CLI on the simulator's own DATA_DIR (where the note lives) and Temporal address.
    expect(output).toMatch(new RegExp(`Inspect it: DATA_DIR=${dataDir} TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS} npx switchboard transfers show transfer:`));
  }, 60_000);

  it('says how to mark the agent a transfer reached ready for the next caller', async () => {
    const { code, output } = await finished(simulate(open, []));

    expect(code).toBe(0);
    const agent = /^Routed to agent ([a-z0-9-]+)/m.exec(output)?.[1];
    expect(agent).toBeDefined();
    expect(output).toMatch(new RegExp(`^Agent ${agent} stays busy until marked ready .*\n {2}curl -X POST -H "Authorization: Bearer \\$ADMIN_TOKEN" .*-d '\\{"status":"available"\\}' http://127\\.0\\.0\\.1:\\d+/agents/${agent}/status$`, 'm'));
  }, 60_000);

  it('with --wait keeps the simulated call live until Ctrl-C, so a forced retry reaches it and goes through', async () => {
    const child = simulate(open, ['--reject-transfer', '--wait']);
    await child.waitForOutput(/^Waiting until Ctrl-C/, 45_000);
    const workflowId = workflowIdIn(child.outputTail());
    expect(child.outputTail()).toContain(`Retry it now: TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS} npx switchboard transfers retry ${workflowId} --force`);

    const retried = await open.transfers.retry(workflowId, { force: true });
    await child.waitForOutput(/^status-update forwarding -> HTTP 200$/, 30_000);
    child.kill('SIGINT');
    const { code, output } = await finished(child);

    expect(code).toBe(0);
    expect(output).toMatch(/Waiting until Ctrl-C[\s\S]*POST \S+\/control -> HTTP 200\n {2}\{"type":"transfer"/);
    expect(output).toContain('Stopped: the simulated call is over.');
    expect(output).not.toContain('will fail to reach the call');
    expect(await env.client.workflow.getHandle(workflowId, retried.runId).result()).toMatchObject({ outcome: 'transferred' });
  }, 90_000);

  it('says all offices are closed and the call went to the after-hours line, from the decision (admin token) or from the destination', async () => {
    const anonymous = simulate(closed, ['--caller', ANONYMOUS_CALLER, '--admin-token', ADMIN, '--at', '2026-11-29T03:00:00Z']);
    const enterprise = simulate(closed, []);
    const [fromDecision, fromDestination] = await Promise.all([finished(anonymous), finished(enterprise)]);

    expect(fromDecision.code).toBe(0);
    expect(fromDecision.output).toMatch(/^All offices closed, routed to the after-hours line \(after-hours voicemail\): No office is open \(.+\): after-hours voicemail, blind-transfer\.$/m);
    expect(fromDecision.output).toContain("--at 2026-11-29T03:00:00Z was not honoured: only npm start's embedded mode routes at the simulator's time");
    expect(fromDestination.code).toBe(0);
    expect(fromDestination.output).toMatch(/^All offices closed, routed to the enterprise 24x7 line \(enterprise-24x7 line\)$/m);
  }, 60_000);
});

describe('npx switchboard transfers show', () => {
  it("names the after-hours destination, not the department's line, and where it looked for the note", async () => {
    const { output } = await finished(simulate(closed, ['--caller', ANONYMOUS_CALLER]));
    const workflowId = workflowIdIn(output);
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'switchboard-no-npm-start-'));

    const shown = await switchboard(['transfers', 'show', workflowId], { DATA_DIR: elsewhere });

    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('  decision: after-hours voicemail (blind-transfer), by office-hours');
    // (Its "now:" line is the workflow's own current details, which the workflow writes: not labelled here.)
    expect(shown.stdout).toContain(
      `  note: the demo CRM of the npm start on DATA_DIR ${elsewhere} could not be asked: no npm start serves the demo CRM's notes from DATA_DIR ${elsewhere}; the notes are read from the npm start running on that DATA_DIR, so run this with the DATA_DIR npm start uses`,
    );
  }, 60_000);
});

describe('npm run routing:explain', () => {
  it('has --help saying what it does, its arguments and an example whose message file explains', async () => {
    const help = await finished(spawnTypeScript('src/cli/routing-explain.ts', { name: 'routing:explain --help', args: ['--help'] }));
    const example = /^ {2}ADMIN_TOKEN=<token> npm run routing:explain -- (\S+) --at (\S+)$/m.exec(help.output);

    expect(help.code).toBe(0);
    expect(help.output).toMatch(/^Asks a running Switchboard \(POST \/routing\/explain\) what routing would decide/m);
    expect(help.output).toMatch(/^ {2}<message\.json> {3}/m);
    expect(help.output).toMatch(/^ {2}--at <time> {6}/m);
    expect(example).not.toBeNull();

    const explained = await finished(
      spawnTypeScript('src/cli/routing-explain.ts', { name: 'routing:explain example', args: [example![1]!, '--at', example![2]!, '--url', new URL(open.webhookUrl).origin], env: { ADMIN_TOKEN: ADMIN } }),
    );
    expect(explained.code).toBe(0);
    expect(JSON.parse(explained.output)).toMatchObject({ department: 'billing', label: expect.stringMatching(/^agent a-/) });
  }, 60_000);
});
