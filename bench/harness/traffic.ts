import { buildToolCallsPayload, newCallId } from '../../src/dev/vapi-payloads';

/** What the load sends: the tool call's department, reason and caller's words, and the numbers calling. */
export interface TrafficMix {
  requests: readonly { department: string; reason: string; turns: readonly string[] }[];
  callers: readonly string[];
}

// Demo CRM numbers from config/contact-center.yaml (fictional) and numbers the CRM does not know, so both
// the enriched and the anonymous routing paths are exercised.
const CALLERS = ['+12125550111', '+13105550112', '+12025550113', '+12025550118', '+15555550100', '+15555550101'];
const REQUESTS = [
  { department: 'billing', reason: 'question about my invoice', turns: ['I was charged twice on my last invoice.', 'Yes, billing please.'] },
  { department: 'support', reason: 'internet is down', turns: ['My internet has been down since this morning.', 'Please put me through to support.'] },
  { department: 'sales', reason: 'upgrade my plan', turns: ['I would like to upgrade to the faster plan.', 'Sales, yes.'] },
  { department: 'support', reason: 'router keeps rebooting', turns: ['The router keeps rebooting, this is really annoying.', 'Someone technical, please.'] },
] as const;

/** The demo contact center's traffic (config/contact-center.yaml). */
export const DEMO_TRAFFIC: TrafficMix = { requests: REQUESTS, callers: CALLERS };

export interface SimulatedCall {
  callId: string;
  toolCallId: string;
  body: unknown;
  department: string;
}

/**
 * The index-th call of a run: a realistic tool-calls webhook whose controlUrl points at the fake control server.
 * Requests and callers each cycle through the mix (counts without a common factor pair every request with every caller).
 */
export function simulatedCall(index: number, controlUrlFor: (callId: string) => string, traffic: TrafficMix = DEMO_TRAFFIC): SimulatedCall {
  const { requests, callers } = traffic;
  const request = requests[index % requests.length]!;
  const callId = newCallId();
  const { body, toolCallId } = buildToolCallsPayload({
    callId,
    controlUrl: controlUrlFor(callId),
    arguments: { department: request.department, reason: request.reason, urgency: index % 7 === 0 ? 'high' : 'medium' },
    callerNumber: callers[index % callers.length]!,
    callerTurns: [...request.turns],
  });
  return { callId, toolCallId, body, department: request.department };
}

/** Vapi's `status-update` with status `forwarding` for a call, naming the tool call in its artifact. */
export function forwardingReport(call: Pick<SimulatedCall, 'callId' | 'toolCallId'>, controlUrl: string): unknown {
  return {
    message: {
      type: 'status-update',
      status: 'forwarding',
      timestamp: Date.now(),
      call: { id: call.callId, type: 'inboundPhoneCall', status: 'forwarding', monitor: { controlUrl } },
      artifact: {
        messages: [
          { role: 'tool_calls', toolCalls: [{ id: call.toolCallId, type: 'function', function: { name: 'transfer_call', arguments: '{}' } }], message: '' },
        ],
      },
    },
  };
}
