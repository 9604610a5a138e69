import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { NO_WAITING_TRANSFER_RESULT } from '../../src/api/webhook/request-callback';
import type { CallbackWorkflow } from '../../src/contracts';
import { callbackStatusQuery, callbackWorkflowId, linesQuery, floorWorkflowId, transferWorkflowId } from '../../src/contracts';
import type { CalleeBehaviour } from '../../src/dev/callback-player';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { buildCallStatusUpdate, buildToolCallsPayload } from '../../src/dev/vapi-payloads';
import type { CallbacksOptions } from '../support/callbacks';
import { BILLING_CRITERIA, callbackInput, callbackReaches, onlyAgentFor, startCallback, startCallbacks, waitingCaller } from '../support/callbacks';
import { demoContactCenter } from '../support/factories';
import { connectTestEnv } from '../support/temporal';
import { TEST_PHONE_NUMBER_ID, createRequests } from '../support/vapi-api';

let env: TestWorkflowEnvironment;
let control: FakeControlServer;

beforeAll(async () => {
  env = await connectTestEnv();
  control = await startFakeControlServer();
});

afterAll(async () => {
  await control?.close();
  await env?.teardown();
});

const callbacksRunning = (options: CallbacksOptions = {}) => startCallbacks(env, control, options);
type Running = Awaited<ReturnType<typeof callbacksRunning>>;
const callerWaiting = (running: Running) => waitingCaller(env, control, running);

describe('a callback promised to a caller waiting in line', () => {
  it('keeps the caller’s place and, once an agent is free, places the call once and puts the caller through to that agent', async () => {
    const running = await callbacksRunning();
    try {
      const { callId, toolCallId, transfer, askForCallback, freeTheAgent } = await callerWaiting(running);
      const promised = await askForCallback();
      expect(promised.result).toMatch(/^Promise the caller a call back in about \d+ minutes, when an agent is free/);
      expect(await transfer.result()).toMatchObject({ outcome: 'callback-promised' });
      // The caller hangs up, as promised they may: their call's end concerns the callback not at all.
      expect(await running.player.settled().then(() => request(running.app).post('/webhook').send(buildCallStatusUpdate({ call: { id: callId, type: 'inboundPhoneCall' }, status: 'ended', endedReason: 'customer-ended-call' })))).toMatchObject({ status: 200 });
      const callback = env.client.workflow.getHandle<CallbackWorkflow>(callbackWorkflowId(callId));
      await callbackReaches(callback, (status) => status.stage === 'callback-waiting');
      expect(createRequests(running.api)).toHaveLength(0);

      await freeTheAgent();
      const result = await callback.result();

      expect(result).toEqual({ outcome: 'transferred', reason: 'put through to agent a-ana on attempt 1', placed: 1 });
      const [placed] = createRequests(running.api);
      expect(createRequests(running.api)).toHaveLength(1);
      expect(placed!.body).toEqual({
        assistantId: 'assistant-1',
        phoneNumberId: TEST_PHONE_NUMBER_ID,
        customer: { number: '+12125550111' },
        assistantOverrides: {
          variableValues: { callback: true, callbackReason: 'question about my invoice', department: 'billing', attempt: 1 },
          metadata: { switchboardCallbackId: callbackWorkflowId(callId), attempt: 1 },
          monitorPlan: { controlEnabled: true },
        },
      });
      const outbound = running.api.calls[0]!.id;
      const transfers = control.commandsFor(outbound).filter((command) => (command.body as { type: string }).type === 'transfer');
      expect(transfers).toHaveLength(1);
      expect(transfers[0]!.body).toMatchObject({ type: 'transfer', destination: running.center.agents.find((agent) => agent.id === 'a-ana')!.destination, content: 'Thank you for waiting. Connecting you to billing now.' });
      expect((await running.deps.floor.liveStates()).agents['a-ana']).toMatchObject({ state: 'on-call', activeTransfers: 1 });
      expect(await running.deps.crm.findTransferNote(transferWorkflowId(callId, toolCallId))).toMatchObject({ status: 'transferred' });
      const { searchAttributes } = await callback.describe();
      expect(searchAttributes).toMatchObject({ TransferStage: ['done'], TransferOutcome: ['transferred'], VapiCallId: [outbound], TransferAgent: ['a-ana'], TransferDepartment: ['billing'] });
      expect(JSON.stringify(searchAttributes)).not.toContain('555');
      expect(await Promise.all(['promised', 'placed', 'answered', 'missed', 'failed'].map(running.counted))).toEqual([1, 1, 1, 0, 0]);
    } finally {
      await running.stop();
    }
  });

  it('answers request_callback with what the transfer says: a time past is refused, a promise is made once, and asking again gets the same promise', async () => {
    const running = await callbacksRunning();
    try {
      const unknownCall = await request(running.app).post('/webhook').send(buildToolCallsPayload({ callId: randomUUID(), toolName: 'request_callback', arguments: {} }).body);
      expect(unknownCall.body.results[0]).toMatchObject({ result: NO_WAITING_TRANSFER_RESULT });
      const { callId, transfer, askForCallback } = await callerWaiting(running);

      expect(await askForCallback({ notBefore: 'tomorrow at three' })).toMatchObject({ error: expect.stringContaining('notBefore') });
      expect(await askForCallback({ notBefore: new Date(Date.now() - 3_600_000).toISOString() })).toMatchObject({ result: expect.stringMatching(/^That time has passed/) });
      const promised = await askForCallback();
      const again = await askForCallback();

      expect(promised.result).toMatch(/^Promise the caller a call back/);
      expect(again.result).toBe(promised.result);
      expect(await transfer.result()).toMatchObject({ outcome: 'callback-promised' });
      const callback = await env.client.workflow.getHandle<CallbackWorkflow>(callbackWorkflowId(callId)).describe();
      expect(callback.status.name).toBe('RUNNING');
      const line = (await env.client.workflow.getHandle(floorWorkflowId(running.taskQueue)).query(linesQuery)).find((view) => view.department === 'billing');
      expect(line).toMatchObject({ department: 'billing', waiting: 1, callbacksDue: 1, entries: [{ transferId: callbackWorkflowId(callId), callback: true }] });
      await env.client.workflow.getHandle(callbackWorkflowId(callId)).cancel();
    } finally {
      await running.stop();
    }
  });
});

describe('placing a call back', () => {
  it('places it once when Vapi made the call but answered 502: the retry finds it in Vapi and places nothing more', async () => {
    const running = await callbacksRunning();
    try {
      running.api.failNextCreate({ status: 502, afterCreate: true });
      const handle = await startCallback(env.client, running.taskQueue, running.deps.floor, callbackInput(running.center));

      expect(await handle.result()).toMatchObject({ outcome: 'transferred', placed: 1 });
      expect(createRequests(running.api)).toHaveLength(1);
      expect(running.api.calls).toHaveLength(1);
      const lookups = running.api.requests.filter((entry) => entry.method === 'GET' && entry.path === '/call');
      expect(lookups).toEqual([expect.objectContaining({ query: expect.objectContaining({ phoneNumberId: TEST_PHONE_NUMBER_ID, createdAtGt: expect.any(String) }) })]);
      expect((await handle.query(callbackStatusQuery)).placedCallIds).toEqual([running.api.calls[0]!.id]);
    } finally {
      await running.stop();
    }
  });

  it('records a call back Vapi refuses (4xx) as failed with Vapi’s reason, marks the note callback-failed, frees the agent, and never asks again', async () => {
    const running = await callbacksRunning();
    try {
      running.api.failNextCreate({ status: 400, message: 'Couldn\'t Get Assistant. `assistantId` assistant-under-test Does Not Exist.' });
      const input = callbackInput(running.center);
      // The note of the transfer that promised the callback, as that transfer left it.
      const { noteId } = await running.activities.postSummary({ transferId: input.transferId, customer: input.customer, decision: input.decision, urgency: 'medium' });
      await running.activities.markSummary({ noteId, status: 'callback-promised' });
      const handle = await startCallback(env.client, running.taskQueue, running.deps.floor, { ...input, noteId });

      const result = await handle.result();

      expect(result).toMatchObject({ outcome: 'failed', placed: 0 });
      expect(result.reason).toMatch(/CallbackRejected: Vapi API POST \/call answered 400: Couldn't Get Assistant/);
      expect(createRequests(running.api)).toHaveLength(1);
      expect(running.api.requests.filter((entry) => entry.method === 'GET')).toHaveLength(0);
      expect(await running.deps.crm.findTransferNote(input.transferId)).toMatchObject({ status: 'callback-failed', statusReason: expect.stringContaining('answered 400') });
      expect((await running.deps.floor.liveStates()).agents['a-ana']).toMatchObject({ activeTransfers: 0 });
      expect(await running.counted('failed')).toBe(1);
    } finally {
      await running.stop();
    }
  });

  it('tries a call back nobody answers again after the line’s spacing, as many times as the line allows, then records it missed and frees the agent', async () => {
    const unanswered: CalleeBehaviour[] = [{ endedReason: 'customer-did-not-answer' }, { endedReason: 'voicemail' }, { endedReason: 'customer-busy' }];
    const running = await callbacksRunning({ callee: (nth) => unanswered[nth - 1] ?? 'answer' });
    try {
      const handle = await startCallback(env.client, running.taskQueue, running.deps.floor, callbackInput(running.center, { attempts: 3, spacingSeconds: 1 }));

      const result = await handle.result();

      expect(result).toEqual({ outcome: 'missed', reason: 'the line was busy (customer-busy), attempt 3 of 3', placed: 3 });
      const placed = createRequests(running.api);
      expect(placed.map((entry) => (entry.body as { assistantOverrides: { metadata: { attempt: number } } }).assistantOverrides.metadata.attempt)).toEqual([1, 2, 3]);
      const times = running.api.calls.map((call) => Date.parse(call.createdAt));
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_000);
      expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(1_000);
      expect((await running.deps.floor.liveStates()).agents['a-ana']).toMatchObject({ activeTransfers: 0 });
      expect(await Promise.all(['placed', 'answered', 'missed'].map(running.counted))).toEqual([3, 0, 1]);
      const line = (await env.client.workflow.getHandle(floorWorkflowId(running.taskQueue)).query(linesQuery)).find((view) => view.department === 'billing');
      expect(line).toMatchObject({ waiting: 0 });
    } finally {
      await running.stop();
    }
  });

  it('places no call back outside office hours: the agent is let go and the call is placed when the caller’s office next opens', async () => {
    // The demo's hours (us-east opens at 08:00 New York time), read as of a Monday at 07:59:58 there.
    const running = await callbacksRunning({ center: onlyAgentFor(demoContactCenter(), 'billing', 'a-ana') });
    try {
      const asOfOffsetMs = Date.parse('2026-11-30T12:59:58Z') - Date.now();
      const startedAt = Date.now();
      const handle = await startCallback(env.client, running.taskQueue, running.deps.floor, callbackInput(running.center, { asOfOffsetMs }));

      const waiting = await callbackReaches(handle, (status) => status.stage === 'callback-waiting' && status.agentId === null && Date.now() - startedAt > 2_000);
      expect(waiting.attempt).toBe(0);
      expect(createRequests(running.api)).toHaveLength(0);
      expect((await running.deps.floor.liveStates()).agents['a-ana']).toMatchObject({ activeTransfers: 0 });
      const line = (await env.client.workflow.getHandle(floorWorkflowId(running.taskQueue)).query(linesQuery)).find((view) => view.department === 'billing');
      expect(line).toMatchObject({ waiting: 1, callbacksDue: 1 });

      expect(await handle.result()).toMatchObject({ outcome: 'transferred', placed: 1 });
      const placedAt = Date.parse(running.api.calls[0]!.createdAt);
      // Placed once the office was open as of the offset clock: at 08:00 New York time or after.
      expect(placedAt + asOfOffsetMs).toBeGreaterThanOrEqual(Date.parse('2026-11-30T13:00:00Z'));
    } finally {
      await running.stop();
    }
  }, 120_000);
});

describe('Vapi’s reports of outbound calls', () => {
  it('ignores, and counts, a status update for an outbound call no callback placed', async () => {
    const running = await callbacksRunning();
    try {
      const stray = buildCallStatusUpdate({ call: { id: randomUUID(), type: 'outboundPhoneCall', assistantOverrides: { metadata: { switchboardCallbackId: `callback:${randomUUID()}`, attempt: 1 } } }, status: 'in-progress' });

      const answer = await request(running.app).post('/webhook').send(stray);

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({});
      expect((await running.metrics.registry.getSingleMetric('switchboard_call_events_ignored_total')!.get()).values).toEqual([expect.objectContaining({ labels: { message_type: 'status-update' }, value: 1 })]);
    } finally {
      await running.stop();
    }
  });
});
