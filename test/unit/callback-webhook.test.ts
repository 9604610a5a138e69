import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CALLBACKS_OFF_RESULT, planToolCalls } from '../../src/api/webhook/tool-calls';
import { callbacksOffReason, loadConfig } from '../../src/config/env';
import { CALLBACK_WORKFLOW_TYPE, TRANSFER_WORKFLOW_TYPE, callEventSignal, callbackCallEventSignal, callbackTagOf } from '../../src/contracts';
import { buildCallStatusUpdate, buildToolCallsPayload } from '../../src/dev/vapi-payloads';
import { createMetrics } from '../../src/observability/metrics';
import { parseAllowedHosts } from '../../src/vapi/control-url';
import { toolCallsMessageSchema } from '../../src/vapi/messages';
import { appWith, defaultWebhookSettings } from '../support/test-app';

const plan = (body: { message: unknown }, callbacks: boolean) =>
  planToolCalls(toolCallsMessageSchema.parse(body.message), { transferToolNames: ['transfer_call'], allowedHosts: parseAllowedHosts(['*.vapi.ai']), receivedAt: new Date(), timings: defaultWebhookSettings().timings, callbacks });

/** A Temporal client that lists what it is given (with workflow types) and records every signal. */
function listingClient(running: { workflowId: string; type: string }[]) {
  const signals: { workflowId: string; name: string; args: unknown[] }[] = [];
  return {
    signals,
    client: {
      start: jest.fn(),
      executeUpdateWithStart: jest.fn(),
      list: jest.fn(() => ({
        async *[Symbol.asyncIterator]() {
          yield* running;
        },
      })),
      getHandle: jest.fn((workflowId: string) => ({
        workflowId,
        signal: async (definition: { name: string }, ...args: unknown[]) => {
          signals.push({ workflowId, name: definition.name, args });
        },
      })),
    },
  };
}

describe('callbacks configuration', () => {
  it('offers callbacks only with VAPI_API_KEY and VAPI_PHONE_NUMBER_ID, and otherwise says which to set', () => {
    expect(callbacksOffReason(loadConfig({ VAPI_API_KEY: 'key', VAPI_PHONE_NUMBER_ID: 'number' }))).toBeNull();
    expect(callbacksOffReason(loadConfig({}))).toMatch(/^callbacks are off: VAPI_API_KEY and VAPI_PHONE_NUMBER_ID are unset; set VAPI_API_KEY and VAPI_PHONE_NUMBER_ID/);
    expect(callbacksOffReason(loadConfig({ VAPI_API_KEY: 'key' }))).toMatch(/^callbacks are off: VAPI_PHONE_NUMBER_ID is unset/);
    expect(loadConfig({ VAPI_PHONE_NUMBER_ID: 'number' }).vapiPhoneNumberId).toBe('number');
  });
});

describe('tool calls when callbacks are offered', () => {
  it('marks transfers as offering callbacks and names the assistant that answered (call.assistantId, else message.assistant.id)', () => {
    const fromCall = buildToolCallsPayload({ assistantId: 'assistant-1' });
    const fromMessage = buildToolCallsPayload();
    (fromMessage.body.message as Record<string, unknown>).assistant = { id: 'assistant-2' };

    expect(plan(fromCall.body, true)).toEqual([expect.objectContaining({ kind: 'transfer', request: expect.objectContaining({ callbacks: true, assistantId: 'assistant-1' }) })]);
    expect(plan(fromMessage.body, true)).toEqual([expect.objectContaining({ kind: 'transfer', request: expect.objectContaining({ assistantId: 'assistant-2' }) })]);
    expect(plan(fromCall.body, false)[0]).toMatchObject({ kind: 'transfer', request: expect.not.objectContaining({ callbacks: true }) });
  });

  it('plans request_callback with its notBefore, refuses one that is not a time, and answers that callbacks are off when they are', () => {
    const at = '2026-11-25T15:00:00-05:00';
    expect(plan(buildToolCallsPayload({ toolName: 'request_callback', arguments: { notBefore: at } }).body, true)).toEqual([expect.objectContaining({ kind: 'callback', ask: { notBefore: at } })]);
    expect(plan(buildToolCallsPayload({ toolName: 'request_callback', arguments: {} }).body, true)).toEqual([expect.objectContaining({ kind: 'callback', ask: {} })]);
    expect(plan(buildToolCallsPayload({ toolName: 'request_callback', arguments: { notBefore: 'after lunch' } }).body, true)).toEqual([
      expect.objectContaining({ kind: 'answer', answer: expect.objectContaining({ error: expect.stringMatching(/^Cannot arrange a call back: invalid arguments \(notBefore: must be an ISO 8601 time/) }) }),
    ]);
    expect(plan(buildToolCallsPayload({ toolName: 'request_callback', arguments: {} }).body, false)).toEqual([expect.objectContaining({ kind: 'answer', answer: expect.objectContaining({ result: CALLBACKS_OFF_RESULT }) })]);
  });
});

describe('call events for callbacks', () => {
  const call = (overrides: Record<string, unknown> = {}) => ({ id: randomUUID(), type: 'outboundPhoneCall', ...overrides });

  it('signals the callback a placed call is tagged with, and only a status transfers understand to the call’s transfers', async () => {
    const placed = call({ assistantOverrides: { metadata: { switchboardCallbackId: 'callback:call-1', attempt: 2 } } });
    const { client, signals } = listingClient([{ workflowId: 'transfer:x:y', type: TRANSFER_WORKFLOW_TYPE }]);
    const { app } = appWith({}, client as never);

    await request(app).post('/webhook').send(buildCallStatusUpdate({ call: placed, status: 'in-progress' })).expect(200);
    await request(app).post('/webhook').send(buildCallStatusUpdate({ call: placed, status: 'ended', endedReason: 'customer-busy' })).expect(200);

    expect(signals).toEqual([
      { workflowId: 'callback:call-1', name: callbackCallEventSignal.name, args: [{ callId: placed.id, status: 'in-progress', endedReason: null }] },
      { workflowId: 'transfer:x:y', name: callEventSignal.name, args: [{ kind: 'ended', endedReason: 'customer-busy' }] },
      { workflowId: 'callback:call-1', name: callbackCallEventSignal.name, args: [{ callId: placed.id, status: 'ended', endedReason: 'customer-busy' }] },
    ]);
  });

  it('finds callbacks by VapiCallId too, and looks nothing up for an inbound call’s own progress', async () => {
    const { client, signals } = listingClient([{ workflowId: 'callback:call-2', type: CALLBACK_WORKFLOW_TYPE }]);
    const { app } = appWith({}, client as never);
    const outbound = call();

    await request(app).post('/webhook').send(buildCallStatusUpdate({ call: { id: randomUUID(), type: 'inboundPhoneCall' }, status: 'in-progress' })).expect(200);
    expect(client.list).not.toHaveBeenCalled();
    await request(app).post('/webhook').send(buildCallStatusUpdate({ call: outbound, status: 'ringing' })).expect(200);

    expect(signals).toEqual([{ workflowId: 'callback:call-2', name: callbackCallEventSignal.name, args: [{ callId: outbound.id, status: 'ringing', endedReason: null }] }]);
  });

  it('counts a report of an outbound call nothing waits for, and not one of an inbound call', async () => {
    const metrics = createMetrics({ departments: [], defaultMetrics: false });
    const { client } = listingClient([]);
    const { app } = appWith({ metrics }, client as never);

    await request(app).post('/webhook').send(buildCallStatusUpdate({ call: call(), status: 'in-progress' })).expect(200);
    await request(app).post('/webhook').send(buildCallStatusUpdate({ call: { id: randomUUID(), type: 'inboundPhoneCall' }, status: 'ended', endedReason: 'customer-ended-call' })).expect(200);

    expect((await metrics.registry.getSingleMetric('switchboard_call_events_ignored_total')!.get()).values).toEqual([expect.objectContaining({ labels: { message_type: 'status-update' }, value: 1 })]);
  });

  it('reads a callback’s tag only in the shape Switchboard writes it', () => {
    expect(callbackTagOf({ assistantOverrides: { metadata: { switchboardCallbackId: 'callback:abc', attempt: 1 } } })).toEqual({ switchboardCallbackId: 'callback:abc', attempt: 1 });
    expect(callbackTagOf({ assistantOverrides: { metadata: { switchboardCallbackId: 'transfer:abc', attempt: 1 } } })).toBeNull();
    expect(callbackTagOf({ assistantOverrides: { metadata: { switchboardCallbackId: 'callback:abc', attempt: '1' } } })).toBeNull();
    expect(callbackTagOf({ metadata: { switchboardCallbackId: 'callback:abc', attempt: 1 } })).toBeNull();
    expect(callbackTagOf(null)).toBeNull();
  });
});
