import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { spawnNpmScript } from '../../bench/harness/processes';
import type { ManagedProcess } from '../../bench/harness/processes';
import { TRANSFER_TASK_QUEUE, TRANSFER_WORKFLOW_TYPE, transferWorkflowId } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { buildToolCallsPayload, newCallId } from '../../src/dev/vapi-payloads';
import { createDataConverter } from '../../src/temporal/data-converter';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import { freePort } from '../../src/temporal/free-port';
import { LOCAL_KEY_FILE } from '../../src/temporal/payload-encryption';
import { switchboard } from '../support/cli';
import { transferRequest } from '../support/factories';
import { readableSecrets } from '../support/history-secrets';
import { embeddedEnv, removeEmbeddedData } from '../support/process-tree';
import { uniqueTaskQueue } from '../support/temporal';

// With nothing configured, nothing personal may reach Temporal in plaintext; processes started apart must not
// start without a key unless encryption is switched off out loud. Real npm scripts, a real dev server.

const CALLER_NUMBER = '+12125550163';
const CALLER_WORDS = 'my card ending 7781 was charged twice for the same invoice';

const started: ManagedProcess[] = [];
let control: FakeControlServer;

beforeAll(async () => {
  control = await startFakeControlServer();
});

afterAll(async () => {
  await Promise.all(started.map((child) => child.stop(10_000).catch(() => undefined)));
  await control?.close();
  removeEmbeddedData();
});

function spawn(script: string, name: string, env: Record<string, string | undefined>): ManagedProcess {
  const child = spawnNpmScript(script, { name, env });
  started.push(child);
  return child;
}

const lines = (child: ManagedProcess, pattern: RegExp) => child.outputTail().split('\n').filter((line) => pattern.test(line));

describe('npm start with nothing configured', () => {
  it('encrypts with a key it makes in DATA_DIR (0600, reused), leaves no caller number, words or controlUrl readable in the raw history, npx switchboard reads it with nothing set, and failed workflow tasks are reported', async () => {
    const env = await embeddedEnv();
    const dataDir = env.DATA_DIR!;
    const first = spawn('start', 'npm start', env);
    await first.waitForOutput(/Switchboard is running/, 120_000);
    const keyFile = path.join(dataDir, LOCAL_KEY_FILE);
    expect(lines(first, /Payloads:/)[0]).toContain(`AES-256-GCM encrypted with the key in ${keyFile} (made now; keep it: histories need it)`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(key).toMatch(/^local-[0-9a-f]{8}:[A-Za-z0-9+/]{43}=$/);
    // The embedded Web UI decrypts through the codec endpoint.
    const settings = (await (await fetch(`http://127.0.0.1:${env.DEV_UI_PORT}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
    expect(settings.Codec.Endpoint).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${env.PORT}/codec/`));
    // The embedded demo has Vapi reporting through the simulator: no warning about VAPI_API_KEY there.
    expect(first.outputTail()).not.toContain('VAPI_API_KEY is unset');

    const callId = newCallId();
    const { body, toolCallId } = buildToolCallsPayload({ callId, controlUrl: control.controlUrlFor(callId), callerNumber: CALLER_NUMBER, callerTurns: [CALLER_WORDS] });
    const answer = await fetch(`http://127.0.0.1:${env.PORT}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(answer.status).toBe(200);
    await control.waitForCommands(callId, 1, 30_000);
    const workflowId = transferWorkflowId(callId, toolCallId);

    const connection = await Connection.connect({ address: `127.0.0.1:${env.DEV_SERVER_PORT}` });
    try {
      // The raw history, read without the codec, as `temporal workflow show -o json` shows it.
      const raw = await new Client({ connection, dataConverter: createDataConverter() }).workflow.getHandle(workflowId).fetchHistory();
      expect(raw.events!.length).toBeGreaterThan(5);
      expect(readableSecrets(raw, [CALLER_NUMBER, CALLER_WORDS, control.controlUrlFor(callId), control.baseUrl])).toEqual([]);

      // A transfer sealed with a key npm start does not have: its worker reports the failed task, and counts it.
      const foreign = new Client({ connection, dataConverter: createDataConverter(new AesGcmPayloadCodec([{ id: 'k9', key: randomBytes(32) }])) });
      const sealed = transferRequest({ controlBaseUrl: control.baseUrl });
      const unreadable = await foreign.workflow.start(TRANSFER_WORKFLOW_TYPE, { workflowId: transferWorkflowId(sealed.callId, sealed.toolCallId), taskQueue: TRANSFER_TASK_QUEUE, args: [sealed] });
      const reported = JSON.parse(await first.waitForOutput(/"msg":"workflow task failed"/, 30_000)) as Record<string, unknown>;
      expect(reported).toMatchObject({ level: 50, workflowType: TRANSFER_WORKFLOW_TYPE, workflowId: unreadable.workflowId, failure: expect.stringContaining('payload was encrypted with key "k9"') });
      expect(await (await fetch(`http://127.0.0.1:${env.PORT}/metrics`)).text()).toMatch(/^switchboard_workflow_task_failures_total\{workflow_type="transferCall"\} [1-9]/m);
      await unreadable.terminate('test done');
    } finally {
      await connection.close();
    }

    const cli = { TEMPORAL_ADDRESS: undefined, PAYLOAD_ENCRYPTION_KEYS: undefined, DATA_DIR: dataDir, DEV_SERVER_PORT: env.DEV_SERVER_PORT };
    const shown = await switchboard(['transfers', 'show', workflowId, '--json'], cli);
    expect(shown).toMatchObject({ code: 0 });
    expect(JSON.parse(shown.stdout).request).toMatchObject({ callId, callerNumber: '…63', callerWordsLength: CALLER_WORDS.length, hasControlUrl: true });

    // A second start on the same DATA_DIR keeps the key, so what the first wrote still reads.
    await first.stop(20_000);
    const second = spawn('start', 'npm start again', env);
    await second.waitForOutput(/Switchboard is running/, 120_000);
    expect(lines(second, /Payloads:/)[0]).toContain('(kept from an earlier start; keep it: histories need it)');
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(key);
    expect(await switchboard(['transfers', 'show', workflowId], cli)).toMatchObject({ code: 0 });
    await second.stop(20_000);
  }, 300_000);
});

describe('processes started apart (npm run start:worker, npm run start:api)', () => {
  it.each([
    ['start:worker', 'worker failed'],
    ['start:api', 'api failed'],
  ])('%s refuses to start without PAYLOAD_ENCRYPTION_KEYS, naming both variables and how to make a key', async (script, prefix) => {
    const child = spawn(script, `${script} without keys`, {
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      PAYLOAD_ENCRYPTION_KEYS: undefined,
      PAYLOAD_ENCRYPTION: undefined,
      VAPI_WEBHOOK_AUTH: 'none',
      METRICS_PORT: '0',
      PORT: '0',
    });

    expect(await child.exited).toBe(1);
    const said = child.outputTail();
    expect(said).toContain(`${prefix}: PAYLOAD_ENCRYPTION_KEYS is not set.`);
    expect(said).toContain('openssl rand -base64 32');
    expect(said).toContain('or set PAYLOAD_ENCRYPTION=off to store payloads in plaintext');
  }, 60_000);
});

describe('a worker and an API started apart with PAYLOAD_ENCRYPTION=off and no VAPI_API_KEY', () => {
  const taskQueue = uniqueTaskQueue('plaintext');
  let worker: ManagedProcess;
  let api: ManagedProcess;
  beforeAll(async () => {
    const off = { PAYLOAD_ENCRYPTION: 'off', PAYLOAD_ENCRYPTION_KEYS: undefined, VAPI_API_KEY: undefined, VAPI_PHONE_NUMBER_ID: undefined, TEMPORAL_TASK_QUEUE: taskQueue, METRICS_PORT: '0', LOG_LEVEL: 'info' };
    worker = spawn('start:worker', 'worker with encryption off', { ...off, CONTROL_URL_ALLOWED_HOSTS: '127.0.0.1' });
    api = spawn('start:api', 'api with encryption off', { ...off, VAPI_WEBHOOK_AUTH: 'none', PORT: '0' });
    await worker.waitForOutput(/"worker polling"/, 120_000);
    await api.waitForOutput(/"api listening"/, 60_000);
  }, 180_000);

  it('start, warning that payloads are stored in plaintext, and write them so', async () => {
    for (const child of [worker, api]) {
      expect(JSON.parse(lines(child, /PAYLOAD_ENCRYPTION=off/)[0]!)).toMatchObject({ level: 40, msg: expect.stringContaining('stored in Temporal in plaintext') });
    }
    const request = transferRequest({ controlBaseUrl: control.baseUrl, callerNumber: CALLER_NUMBER, callerWords: CALLER_WORDS });
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    try {
      const handle = await new Client({ connection, dataConverter: createDataConverter() }).workflow.start(TRANSFER_WORKFLOW_TYPE, {
        workflowId: transferWorkflowId(request.callId, request.toolCallId),
        taskQueue,
        args: [request],
      });
      await control.waitForCommands(request.callId, 1, 30_000);
      // What encryption prevents, seen where it is off: the same check as above finds them.
      expect(readableSecrets(await handle.fetchHistory(), [CALLER_NUMBER, CALLER_WORDS])).toEqual([CALLER_NUMBER, CALLER_WORDS]);
      await handle.terminate('test done').catch(() => undefined);
    } finally {
      await connection.close();
    }
  }, 60_000);

  it('the worker says at start what running without VAPI_API_KEY costs, naming the variable', () => {
    const warning = JSON.parse(lines(worker, /VAPI_API_KEY is unset/)[0]!) as { level: number; msg: string };

    expect(warning.level).toBe(40);
    expect(warning.msg).toContain('can never be checked with Vapi');
    expect(warning.msg).toContain("it ends unknown unless Vapi's webhooks report it, and the fallback chain cannot run");
    expect(api.outputTail()).not.toContain('VAPI_API_KEY is unset');
  });

  it('the worker and the API each say once at start that callbacks are off, naming both variables to set', () => {
    for (const child of [worker, api]) {
      const said = lines(child, /callbacks are off/);
      expect(said).toHaveLength(1);
      expect(JSON.parse(said[0]!)).toMatchObject({ msg: expect.stringMatching(/^callbacks are off: VAPI_API_KEY and VAPI_PHONE_NUMBER_ID are unset; set VAPI_API_KEY and VAPI_PHONE_NUMBER_ID/) });
    }
  });
});
