import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { ContactCenter } from '../../src/config/contact-center';
import type { AgentCriteria, CallbackInput, CallbackStatus, CallbackWorkflow, RoutingDecision } from '../../src/contracts';
import { CALLBACK_WORKFLOW_TYPE, callbackStatusQuery, callbackWorkflowId } from '../../src/contracts';
import type { FloorClient } from '../../src/integrations/floor-client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { AppDeps } from '../../src/api/app';
import type { TransferCallWorkflow } from '../../src/contracts';
import { transferWorkflowId } from '../../src/contracts';
import type { CalleeBehaviour } from '../../src/dev/callback-player';
import { playCallbacks } from '../../src/dev/callback-player';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { buildToolCallsPayload } from '../../src/dev/vapi-payloads';
import { VapiCallStatus } from '../../src/integrations/call-status';
import { createMetrics } from '../../src/observability/metrics';
import { parseAllowedHosts } from '../../src/vapi/control-url';
import { alwaysOpenContactCenter } from './factories';
import { waitForStage } from './run-transfer';
import { uniqueTaskQueue } from './temporal';
import { appWith } from './test-app';
import { TEST_VAPI_KEY, vapiApiStandIn } from './vapi-api';
import { floorBackedActivities, startTestWorkers } from './workers';

/** Rules 1-7's answer for the demo's enterprise caller c-1001 (+12125550111, us-east, English) asking for billing. */
export const BILLING_CRITERIA: AgentCriteria = { department: 'billing', candidateOffices: ['us-east'], language: 'en', seniorRequired: false, knownAgent: null, exclude: [] };

/** A contact center in which `agentId` is the only agent of `department`: one reservation makes it busy. */
export function onlyAgentFor(center: ContactCenter, department: string, agentId: string): ContactCenter {
  return { ...center, agents: center.agents.filter((agent) => agent.id === agentId || !agent.skills.includes(department)) };
}

/** The decision a waiting transfer hands its callback: the department's line, blind, as routing leaves it when every agent is busy. */
function lineDecision(center: ContactCenter): RoutingDecision {
  const destination = center.departments.find((department) => department.id === 'billing')!.line;
  return {
    department: 'billing',
    agentId: null,
    destination,
    label: 'billing line',
    mode: 'blind-transfer',
    reasons: ['All 1 qualified agents are busy: waiting in billing\'s line.'],
    decidedBy: 'line',
    agentMessage: 'Maria Lopez (Acme Corp), enterprise, billing: question about my invoice',
    trace: {
      at: new Date().toISOString(),
      department: 'billing',
      office: 'us-east',
      language: 'en',
      seniorRequired: false,
      candidateOffices: ['us-east'],
      relaxation: 'line',
      candidates: [],
      decidedBy: 'line',
      reasons: [],
      choice: { agentId: null, destination },
      ranked: [],
    },
    fallbacks: [],
  };
}

/** What a transfer that promised a callback hands it, for c-1001 in billing; override any field. */
export function callbackInput(center: ContactCenter, overrides: Partial<CallbackInput> = {}): CallbackInput {
  const callId = overrides.callId ?? randomUUID();
  const customer = center.customers.find((candidate) => candidate.id === 'c-1001')!;
  return {
    callbackId: callbackWorkflowId(callId),
    transferId: `transfer:${callId}:call_test`,
    callId,
    assistantId: 'assistant-under-test',
    customerNumber: customer.phone,
    customer: { known: true, customerId: customer.id, displayName: customer.name, tier: customer.tier, language: customer.language ?? 'en', office: customer.office ?? 'us-east', lastAgentId: null, escalations90d: 0 },
    department: 'billing',
    criteria: BILLING_CRITERIA,
    basePass: 'none',
    priority: 2,
    joinedAt: Date.now(),
    decision: lineDecision(center),
    noteId: null,
    reason: 'question about my invoice',
    attempts: 3,
    spacingSeconds: 600,
    promise: { message: 'Promise the caller a call back in about 1 minutes, when an agent is free.', expectedAt: new Date().toISOString() },
    timings: { outcomeTimeoutSeconds: 2, fallbackCheckSeconds: 1, warmDialSeconds: 1 },
    ...overrides,
  };
}

/**
 * Starts a callback as a transfer's promise does, on `taskQueue`, and gives it its place in line on the floor
 * (the transfer's `join-line`); resolves with its handle.
 */
export async function startCallback(client: Client, taskQueue: string, floor: FloorClient, input: CallbackInput): Promise<WorkflowHandle<CallbackWorkflow>> {
  const handle = await client.workflow.start<CallbackWorkflow>(CALLBACK_WORKFLOW_TYPE, { workflowId: input.callbackId, taskQueue, args: [input] });
  await floor.command({
    type: 'join-line',
    transferId: input.callbackId,
    criteria: input.criteria,
    basePass: input.basePass,
    priority: input.priority,
    joinedAt: input.joinedAt,
    front: false,
    callback: true,
    ...(input.notBefore ? { notBefore: input.notBefore } : {}),
  });
  return handle;
}

/** Resolves with the callback's status once `accept` holds. */
export async function callbackReaches(handle: WorkflowHandle<CallbackWorkflow>, accept: (status: CallbackStatus) => boolean, timeoutMs = 30_000): Promise<CallbackStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(callbackStatusQuery);
    if (accept(status)) return status;
    if (Date.now() > deadline) throw new Error(`callback never reached the expected state: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface CallbacksOptions {
  center?: ContactCenter;
  callee?: (nth: number) => CalleeBehaviour;
}

/**
 * A process's workers on a test's own task queues (the real floor workflow among them), with real activities
 * placing calls through the stand-in for Vapi's API, the webhook on a real client, and Vapi played for the
 * calls placed: the callee does `callee` on each, and a transfer to a placed call is reported forwarding.
 */
export async function startCallbacks(env: TestWorkflowEnvironment, control: FakeControlServer, options: CallbacksOptions = {}) {
  const taskQueue = uniqueTaskQueue('callback');
  const center = options.center ?? onlyAgentFor(alwaysOpenContactCenter({ lines: true }), 'billing', 'a-ana');
  const { api, deps: vapi } = await vapiApiStandIn(control.baseUrl);
  const metrics = createMetrics({ departments: center.departments.map((department) => department.id), defaultMetrics: false });
  const { deps, activities } = floorBackedActivities(env, taskQueue, { contactCenter: center, ...vapi, callStatus: new VapiCallStatus({ apiKey: TEST_VAPI_KEY, baseUrl: api.baseUrl }) });
  const workers = await startTestWorkers(env, taskQueue, activities, { metrics });
  // The real client, also as appWith's recording one: the history recorder runs this outside jest.
  const { app } = appWith(
    { workflowClient: env.client.workflow as unknown as AppDeps['workflowClient'], callbacks: true, allowedHosts: parseAllowedHosts(['127.0.0.1']), taskQueue, metrics, now: () => new Date() },
    env.client.workflow as unknown as Parameters<typeof appWith>[1],
  );
  const post = async (body: unknown) => (await request(app).post('/webhook').send(body as object)).status;
  const player = playCallbacks({ api, post, ...(options.callee ? { callee: (_call, nth) => options.callee!(nth) } : {}) });
  control.respondWith((command) => {
    player.controlReceived(command);
    return { status: 200, body: {} };
  });
  return {
    taskQueue,
    center,
    api,
    deps,
    activities,
    app,
    metrics,
    player,
    counted: async (event: string) => (await metrics.registry.getSingleMetric('switchboard_callbacks_total')!.get()).values.find((value) => value.labels.event === event)?.value ?? 0,
    stop: async () => {
      await workers.stop();
      await api.close();
    },
  };
}

/** A caller of c-1001 asks for billing while its only agent is busy: their transfer waits in line. */
export async function waitingCaller(env: TestWorkflowEnvironment, control: FakeControlServer, running: Awaited<ReturnType<typeof startCallbacks>>) {
  const busy = await running.deps.floor.reserve({ type: 'reserve', transferId: 'another-caller', criteria: BILLING_CRITERIA, ttlSeconds: 600 });
  if (busy.agentId !== 'a-ana') throw new Error(`a-ana was not free to be made busy (${busy.agentId})`);
  const callId = randomUUID();
  const controlUrl = control.controlUrlFor(callId);
  const { body, toolCallId } = buildToolCallsPayload({ callId, controlUrl, callerNumber: '+12125550111', assistantId: 'assistant-1', arguments: { department: 'billing', reason: 'question about my invoice' } });
  const started = await request(running.app).post('/webhook').send(body);
  if (!/Transfer in progress/.test(String(started.body.results?.[0]?.result))) throw new Error(`the transfer did not start: ${JSON.stringify(started.body)}`);
  const transfer = env.client.workflow.getHandle<TransferCallWorkflow>(transferWorkflowId(callId, toolCallId));
  await waitForStage(transfer, 'waiting');
  const askForCallback = async (args: Record<string, unknown> = {}) =>
    (await request(running.app).post('/webhook').send(buildToolCallsPayload({ callId, controlUrl, toolName: 'request_callback', arguments: args }).body)).body.results[0] as { result?: string; error?: string };
  return { callId, toolCallId, transfer, askForCallback, freeTheAgent: () => running.deps.floor.notify({ type: 'release', transferId: 'another-caller' }) };
}
