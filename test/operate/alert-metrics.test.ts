import { spawnNpmScript } from '../../bench/harness/processes';
import type { ManagedProcess } from '../../bench/harness/processes';
import { TRANSFER_TASK_QUEUE } from '../../src/contracts';
import { startDevServer } from '../../src/dev/dev-server';
import type { DevServer } from '../../src/dev/dev-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { temporalCliPath } from '../../src/dev/temporal-binaries';
import { buildForwardingStatusUpdate, buildToolCallsPayload, newCallId } from '../../src/dev/vapi-payloads';
import { freePort } from '../../src/temporal/free-port';
import { testEncryptionEnv } from '../support/encryption';
import { eventually } from '../support/eventually';
import { NOT_SERVED_YET, declares, metricNamesInAlerts, metricNamesInDashboard } from '../support/ops-files';

// What the alerts and the dashboard name must be what Switchboard serves: scraped from `npm run start:api` and
// `npm run start:worker` after one real transfer, not read from the source. Their own Temporal server: its
// long polls come back empty after 1 s instead of a minute, so the worker's empty-poll counter (what
// SwitchboardNoWorkerPolling counts) exists within seconds; and on it the default task queue is this test's.

const started: ManagedProcess[] = [];
let server: DevServer | undefined;
let control: FakeControlServer | undefined;

afterAll(async () => {
  await Promise.all(started.map((child) => child.stop(10_000)));
  await control?.close();
  await server?.stop();
});

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.text();
}

async function postWebhook(apiUrl: string, body: unknown): Promise<void> {
  const response = await fetch(`${apiUrl}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

describe('the metrics of ops/prometheus/alerts.yml and ops/grafana/switchboard.json', () => {
  it('are served on /metrics by the API and a worker (started as the README says) once a transfer has run', async () => {
    const temporalPort = await freePort();
    server = await startDevServer({
      cliPath: temporalCliPath(),
      port: temporalPort,
      logLevel: 'error',
      startupTimeoutMs: 60_000,
      extraArgs: ['--dynamic-config-value', 'matching.longPollExpirationInterval="1s"'],
    });
    control = await startFakeControlServer();
    const apiPort = await freePort();
    const env = {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: undefined,
      METRICS_PORT: '0',
      PORT: String(apiPort),
      VAPI_WEBHOOK_AUTH: 'none',
      CONTROL_URL_ALLOWED_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...testEncryptionEnv(),
    };
    const worker = spawnNpmScript('start:worker', { name: 'worker', env });
    const api = spawnNpmScript('start:api', { name: 'api', env });
    started.push(worker, api);
    const workerMetrics = (JSON.parse(await worker.waitForOutput(/"worker polling"/, 90_000)) as { metrics: string }).metrics;
    await api.waitForOutput(/"api listening"/, 60_000);
    const apiUrl = `http://127.0.0.1:${apiPort}`;

    // One transfer, the way Vapi drives it: the tool call, then the forwarding report once the transfer was sent.
    const callId = newCallId();
    const { body, toolCallId } = buildToolCallsPayload({ callId, controlUrl: control.controlUrlFor(callId) });
    await postWebhook(apiUrl, body);
    await control.waitForCommands(callId, 1, 60_000);
    await postWebhook(apiUrl, buildForwardingStatusUpdate({ callId, toolCallId, controlUrl: control.controlUrlFor(callId) }));

    const queue = `task_queue="${TRANSFER_TASK_QUEUE}"`;
    // Until the transfer's end is counted and the first empty poll has come back.
    const fromWorker = await eventually(
      () => scrape(workerMetrics),
      (text) =>
        /^switchboard_transfers_total\{department="billing",outcome="transferred"\} 1$/m.test(text) &&
        new RegExp(`^temporal_workflow_task_queue_poll_empty\\{[^}]*${queue}`, 'm').test(text),
      30_000,
    );
    const fromApi = await scrape(`${apiUrl}/metrics`);
    const served = `${fromApi}\n${fromWorker}`;

    expect(fromWorker).toMatch(/^switchboard_transfers_total\{department="billing",outcome="transferred"\} 1$/m);
    expect(fromWorker).toMatch(/^switchboard_webhook_to_transfer_seconds_count\{department="billing"\} 1$/m);
    expect(fromApi).toMatch(/^switchboard_webhook_ack_seconds_count\{message_type="tool-calls"\} 1$/m);
    // SwitchboardNoWorkerPolling's two series, with the task queue label it selects on.
    for (const family of ['temporal_workflow_task_queue_poll_empty', 'temporal_workflow_task_queue_poll_succeed']) {
      expect(fromWorker).toMatch(new RegExp(`^${family}\\{[^}]*${queue}[^}]*\\} [1-9]`, 'm'));
    }

    // Declared or sampled: a counter nothing has counted and a gauge of a line nobody waits in are served as
    // families without samples; the Temporal SDK's appear only once recorded, hence the transfer and the polls.
    const used = [...new Set([...metricNamesInAlerts(), ...metricNamesInDashboard()])];
    expect(used.length).toBeGreaterThan(15);
    expect(used.filter((name) => !NOT_SERVED_YET.includes(name) && !declares(served, name))).toEqual([]);
    // A metric still listed as not served that is served now: take it off the list.
    expect(NOT_SERVED_YET.filter((name) => declares(served, name))).toEqual([]);
    expect(NOT_SERVED_YET.filter((name) => !used.includes(name))).toEqual([]);
  }, 180_000);

  for (const name of NOT_SERVED_YET) it.todo(`serves ${name} (pending: lands with lines; listed in test/support/ops-files.ts)`);
});
