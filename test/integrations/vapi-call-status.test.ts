import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCallControlActivities } from '../../src/activities/call-control';
import { FailureType } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { HttpCallControlClient } from '../../src/integrations/call-control-client';
import { VapiApiError, VapiCallStatus, callStatusSource } from '../../src/integrations/call-status';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import { freePort } from '../../src/temporal/free-port';
import { transferRequest } from '../support/factories';
import { runTransfer } from '../support/run-transfer';
import { connectTestEnv } from '../support/temporal';

// Vapi's API is asked where a call stands before anything is sent twice. When it cannot say, that must show:
// in the log, in /metrics, and as a retryable activity failure, never as a silent "don't know".

const KEY = 'vapi-private-key-never-logged';
const BODY_MARKER = 'body-text-never-logged';

/** A stand-in for `GET /call/{id}`: answers each call as `answer` says, counting requests. */
type Answer = (callId: string) => { status: number; body?: unknown; hang?: boolean };
const LIVE: Answer = () => ({ status: 200, body: { status: 'in-progress' } });
let answer: Answer = LIVE;
const asked: string[] = [];
let api: http.Server;
let baseUrl: string;
const lines: string[] = [];
const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });

let env: TestWorkflowEnvironment;
let control: FakeControlServer;

beforeAll(async () => {
  api = http.createServer((req, res) => {
    const callId = decodeURIComponent(/^\/call\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
    asked.push(`${req.headers.authorization === `Bearer ${KEY}` ? 'keyed' : 'unkeyed'} ${callId}`);
    const reply = answer(callId);
    if (reply.hang) return;
    res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body ?? { message: BODY_MARKER }));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  env = await connectTestEnv();
  control = await startFakeControlServer();
});

afterAll(async () => {
  api.closeAllConnections();
  await new Promise((resolve) => api.close(resolve));
  await control?.close();
  await env?.teardown();
});

beforeEach(() => {
  answer = LIVE;
  asked.length = 0;
  lines.length = 0;
});

function observed() {
  const metrics = createMetrics({ departments: [], defaultMetrics: false });
  return { metrics, source: callStatusSource({ vapiApiKey: KEY, vapiBaseUrl: baseUrl }, { logger, metrics }) };
}

/** The series counted at least once (every label set is exposed at 0 from the start). */
async function counted(metrics: ReturnType<typeof createMetrics>): Promise<string[]> {
  return (await metrics.render()).split('\n').filter((line) => line.startsWith('switchboard_vapi_api_requests_total{') && !line.endsWith(' 0'));
}

function checkCallState(source: ReturnType<typeof callStatusSource>) {
  const activities = createCallControlActivities({ callControl: new HttpCallControlClient(), controlUrlAllowedHosts: [], callStatus: source, attempts: { record: async () => undefined } });
  // The SDK's own "activity failed" lines stay in memory: this file provokes them on purpose.
  const quiet = new DefaultLogger('WARN', () => undefined);
  return (callId: string) => new MockActivityEnvironment(undefined, { logger: quiet }).run(activities.checkCallState, { callId });
}

describe("Vapi's API asked where a call stands", () => {
  it('answers with the call status and counts the request as ok', async () => {
    const { metrics, source } = observed();

    expect(await checkCallState(source)('call-live')).toEqual({ status: 'in-progress', endedReason: null });
    expect(asked).toEqual(['keyed call-live']);
    expect(await counted(metrics)).toEqual(['switchboard_vapi_api_requests_total{operation="get-call",outcome="ok"} 1']);
  });

  it('takes a 404 as an answer: the call is not-found, nothing is logged as a failure', async () => {
    answer = () => ({ status: 404 });
    const { metrics, source } = observed();

    expect(await checkCallState(source)('call-gone')).toEqual({ status: 'not-found' });
    expect(lines).toEqual([]);
    expect(await counted(metrics)).toEqual(['switchboard_vapi_api_requests_total{operation="get-call",outcome="not-found"} 1']);
  });

  it.each([
    [503, 'unavailable', 'Vapi API GET /call/{id} answered 503'],
    [401, 'rejected', 'Vapi API GET /call/{id} answered 401 (check VAPI_API_KEY)'],
  ] as const)('fails retryably with VapiApiUnavailable on %i, logging the operation and status but never the key or the body', async (status, outcome, message) => {
    answer = () => ({ status });
    const { metrics, source } = observed();

    const failure = await checkCallState(source)('call-x').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: FailureType.VapiApiUnavailable, nonRetryable: false, message });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, operation: 'get-call', outcome, status, callId: 'call-x', msg: `Vapi API request failed: GET /call/{id} answered ${status}${status === 401 ? ' (check VAPI_API_KEY)' : ''}` });
    expect(lines.join('')).not.toContain(KEY);
    expect(lines.join('')).not.toContain(BODY_MARKER);
    expect(await counted(metrics)).toEqual([`switchboard_vapi_api_requests_total{operation="get-call",outcome="${outcome}"} 1`]);
  });

  it('names the error code when Vapi cannot be reached, and gives up after its timeout when it does not answer', async () => {
    const unreachable = callStatusSource({ vapiApiKey: KEY, vapiBaseUrl: `http://127.0.0.1:${await freePort()}` }, { logger });
    await expect(unreachable.status('call-x')).rejects.toMatchObject({ name: 'VapiApiError', outcome: 'unreachable', detail: { code: 'ECONNREFUSED' } });

    answer = () => ({ status: 200, hang: true });
    const slow = new VapiCallStatus({ apiKey: KEY, baseUrl, timeoutMs: 200, logger });
    const error = await slow.status('call-x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VapiApiError);
    expect(error).toMatchObject({ outcome: 'timeout', message: 'Vapi API GET /call/{id} did not answer within 200 ms' });
    expect(lines.map((line) => JSON.parse(line).outcome)).toEqual(['unreachable', 'timeout']);
  });

  it('without VAPI_API_KEY answers null: no request, no error, no log line, nothing counted', async () => {
    const metrics = createMetrics({ departments: [], defaultMetrics: false });
    const source = callStatusSource({ vapiApiKey: undefined, vapiBaseUrl: baseUrl }, { logger, metrics });

    expect(await checkCallState(source)('call-x')).toEqual({ status: null });
    expect(asked).toEqual([]);
    expect(lines).toEqual([]);
    expect(await counted(metrics)).toEqual([]);
  });

  it('lets the workflow retry the check by its policy, then go on as when Vapi cannot be asked', async () => {
    answer = () => ({ status: 503 });
    const { metrics, source } = observed();
    const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 2, fallbackCheckSeconds: 1 });

    const { value, status } = await runTransfer(env, request, { deps: { callStatus: source } });

    expect(value).toMatchObject({ outcome: 'transfer-initiated' });
    expect(status.steps.map((step) => `${step.name}:${step.status}`)).toContain('checkCallState:failed');
    expect(asked).toEqual([`keyed ${request.callId}`, `keyed ${request.callId}`, `keyed ${request.callId}`]);
    expect(await counted(metrics)).toEqual(['switchboard_vapi_api_requests_total{operation="get-call",outcome="unavailable"} 3']);
    expect(control.commandsFor(request.callId).filter((command) => (command.body as { type: string }).type === 'transfer')).toHaveLength(1);
  }, 30_000);
});
