import { CALLBACK_TOOL_NAME, ROUTE_AT_HEADER, callbackTagOf } from '../contracts';
import type { CalleeBehaviour } from '../dev/callback-player';
import { playCallbacks } from '../dev/callback-player';
import type { FakeControlServer, ReceivedControlCommand } from '../dev/fake-control-server';
import type { FakeVapiApi } from '../dev/fake-vapi-api';
import { startFakeVapiApi } from '../dev/fake-vapi-api';
import { buildCallStatusUpdate, buildForwardingStatusUpdate, buildToolCallsPayload } from '../dev/vapi-payloads';
import { CALLBACKS_OFF_RESULT } from '../api/webhook/tool-calls';

/** What the person called back does, by its name on the command line (`--callee`). */
export const CALLEES: Record<string, CalleeBehaviour> = {
  answer: 'answer',
  'no-answer': { endedReason: 'customer-did-not-answer' },
  busy: { endedReason: 'customer-busy' },
  voicemail: { endedReason: 'voicemail' },
};

export interface SimulatedCall {
  department: string;
  reason: string;
  urgency: string;
  customerId?: string;
  caller: string;
}

export interface CallbackScenario {
  webhookUrl: string;
  post: (body: unknown, headers?: Record<string, string>) => Promise<Response>;
  /** `--at`: the calls are routed as of this time (npm start's embedded mode), and so is the call back. */
  routeAt?: string;
  control: FakeControlServer;
  write: (line: string) => void;
  call: SimulatedCall;
  /** Other callers put through first, so every qualified agent is busy and the caller waits in line. */
  busy: number;
  /** `notBefore` of the request_callback tool call. */
  callbackAt?: string;
  callee: CalleeBehaviour;
  vapiPort: number;
  adminToken?: string;
  timeoutMs: number;
}

const kindOf = (command: ReceivedControlCommand) => (command.body as { type?: string })?.type;
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The callback scenario of `npm run simulate -- --callback`: plays Vapi end to end. Busy callers are put
 * through first; the caller then waits in line (the assistant's `add-message` is printed), asks for a call
 * back with the `request_callback` tool and hangs up; an agent is marked ready (with an admin token); and
 * when Switchboard places the call back through Vapi's API — the fake one here, on `--vapi-port` — it is
 * answered like Vapi (`201`, `queued`, a controlUrl on the fake control server), reported ringing and
 * in-progress, and the transfer to the agent it receives is reported forwarding. Resolves with the exit code:
 * 0 when exactly one call was placed and put through.
 */
export async function simulateCallback(scenario: CallbackScenario): Promise<number> {
  const { write, control } = scenario;
  let api: FakeVapiApi;
  try {
    api = await startFakeVapiApi({ controlBaseUrl: control.baseUrl, port: scenario.vapiPort });
  } catch (error) {
    write(`Cannot play Vapi's API on port ${scenario.vapiPort} (${(error as { code?: string }).code ?? String(error)}): choose another with --vapi-port.`);
    return 1;
  }
  try {
    write(`Fake Vapi API: ${api.baseUrl} (Switchboard places calls back through it when started with VAPI_BASE_URL=${api.baseUrl} VAPI_API_KEY=<any> VAPI_PHONE_NUMBER_ID=<any>)`);
    const status = async (body: unknown) => (await scenario.post(body)).status;
    const player = playCallbacks({ api, post: status, callee: () => scenario.callee, onReport: (line) => write(`  ${line}`) });
    api.onCreate((call) => {
      const tag = callbackTagOf(call);
      write(`  Vapi API: POST /call${tag ? ` (${tag.switchboardCallbackId}, attempt ${tag.attempt})` : ''} -> HTTP 201, call ${call.id} queued`);
    });
    const toolCalls = new Map<string, string>();
    control.respondWith((command) => {
      write(`  POST ${command.path} -> HTTP 200\n  ${JSON.stringify(command.body)}`);
      if (!player.controlReceived(command) && kindOf(command) === 'transfer' && toolCalls.has(command.callId)) {
        // What Vapi does once it acts on an inbound call's transfer: a status-update "forwarding".
        const report = buildForwardingStatusUpdate({ callId: command.callId, toolCallId: toolCalls.get(command.callId)!, controlUrl: control.controlUrlFor(command.callId) });
        void later(200).then(() => status(report));
      }
      return { status: 200, body: {} };
    });
    const placeCall = async () => {
      const callId = crypto.randomUUID();
      const args: Record<string, unknown> = { department: scenario.call.department, reason: scenario.call.reason, urgency: scenario.call.urgency, ...(scenario.call.customerId ? { customerId: scenario.call.customerId } : {}) };
      const { body, toolCallId } = buildToolCallsPayload({ callId, controlUrl: control.controlUrlFor(callId), arguments: args, callerNumber: scenario.call.caller, assistantId: 'simulated-assistant' });
      toolCalls.set(callId, toolCallId);
      const answer = await scenario.post(body, scenario.routeAt ? { [ROUTE_AT_HEADER]: scenario.routeAt } : {});
      return { callId, toolCallId, status: answer.status, text: await answer.text() };
    };
    const firstCommand = (callId: string) => control.waitForCommands(callId, 1, scenario.timeoutMs).then(([command]) => command!, () => null);

    const busyTransfers: string[] = [];
    for (let n = 1; n <= scenario.busy; n += 1) {
      write(`\nBusy caller ${n} of ${scenario.busy}: asks for ${scenario.call.department}`);
      const busy = await placeCall();
      const command = await firstCommand(busy.callId);
      if (kindOf(command!) !== 'transfer') {
        write(`  Busy caller ${n} was not put through (${command ? kindOf(command) : 'nothing received'}): the line has room for fewer callers; use a smaller --busy.`);
        break;
      }
      busyTransfers.push(`transfer:${busy.callId}:${busy.toolCallId}`);
    }

    write(`\nThe caller asks for ${scenario.call.department}`);
    const caller = await placeCall();
    write(`  webhook answer: HTTP ${caller.status} ${caller.text}`);
    const first = await firstCommand(caller.callId);
    if (!first || kindOf(first) !== 'add-message') {
      write(first ? 'An agent was free: the caller was put through at once, with no line to wait in. Fill the line first with --busy <n> (the agents of the department the caller may have).' : 'Nothing reached the call.');
      return 1;
    }
    write(`The caller waits in line; the assistant was told: ${(first.body as { message: { content: string } }).message.content}`);

    const ask = buildToolCallsPayload({ callId: caller.callId, controlUrl: control.controlUrlFor(caller.callId), toolName: CALLBACK_TOOL_NAME, arguments: scenario.callbackAt ? { notBefore: scenario.callbackAt } : {} });
    const asked = await scenario.post(ask.body);
    const answer = ((await asked.json().catch(() => ({}))) as { results?: { result?: string; error?: string }[] }).results?.[0];
    write(`\nThe caller asks to be called back (${CALLBACK_TOOL_NAME}): HTTP ${asked.status} ${answer?.result ?? answer?.error ?? ''}`);
    if (answer?.result === CALLBACKS_OFF_RESULT) {
      write(`Callbacks are off on this Switchboard: start it with VAPI_BASE_URL=${api.baseUrl} VAPI_API_KEY=simulator VAPI_PHONE_NUMBER_ID=simulator-number.`);
      return 1;
    }
    if (!answer?.result?.startsWith('Promise')) return 1;
    const hungUp = await status(buildCallStatusUpdate({ call: { id: caller.callId, type: 'inboundPhoneCall' }, status: 'ended', endedReason: 'customer-ended-call' }));
    write(`The caller hangs up: status-update ended (customer-ended-call) -> HTTP ${hungUp}`);

    await freeAnAgent(scenario, busyTransfers);
    const deadline = Date.now() + scenario.timeoutMs;
    while (!player.reports.some((line) => line.startsWith('status-update forwarding')) && Date.now() < deadline) await later(200);
    await later(1_500); // a second call placed would show up here
    await player.settled();
    const placed = api.calls.length;
    const through = player.reports.some((line) => line.startsWith('status-update forwarding'));
    write(`\nCalls placed back through Vapi's API: ${placed}; ${through ? 'put through to the agent' : `not put through within ${scenario.timeoutMs / 1000} s`}.`);
    return placed === 1 && through ? 0 : 1;
  } finally {
    await api.close();
  }
}

/**
 * An agent says they are ready (as their desktop would, through the operator API): the callback's turn. The
 * busy caller's transfer is read until it has closed, so the agent is on that call (not still reserved) when
 * marked ready.
 */
async function freeAnAgent(scenario: CallbackScenario, busyTransfers: string[]): Promise<void> {
  const workflowId = busyTransfers[0];
  if (!workflowId) return;
  const headers = { authorization: `Bearer ${scenario.adminToken ?? ''}`, 'content-type': 'application/json' };
  let agentId: string | null = null;
  for (const deadline = Date.now() + 15_000; scenario.adminToken && !agentId && Date.now() < deadline; await later(200)) {
    const shown = await fetch(new URL(`/transfers/${encodeURIComponent(workflowId)}`, scenario.webhookUrl), { headers, signal: AbortSignal.timeout(10_000) })
      .then(async (response) => (await response.json()) as { closedAt?: string | null; decision?: { agentId?: string | null } })
      .catch(() => null);
    if (shown?.closedAt) agentId = shown.decision?.agentId ?? null;
  }
  if (!agentId) {
    scenario.write('No admin token (--admin-token or ADMIN_TOKEN): mark the busy caller\'s agent ready yourself (POST /agents/<id>/status {"status":"available"}), or wait for their after-call time.');
    return;
  }
  const ready = await fetch(new URL(`/agents/${encodeURIComponent(agentId)}/status`, scenario.webhookUrl), { method: 'POST', headers, body: JSON.stringify({ status: 'available' }), signal: AbortSignal.timeout(10_000) });
  scenario.write(`Agent ${agentId} is ready for the next caller (POST /agents/${agentId}/status available -> HTTP ${ready.status})`);
}
