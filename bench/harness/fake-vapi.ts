import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControlResponder, FakeControlServer, ReceivedControlCommand } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { buildCallStatusUpdate } from '../../src/dev/vapi-payloads';
import type { CommandRecord } from './accounting';
import type { SimulatedCall } from './traffic';
import { forwardingReport } from './traffic';
import { postJson } from './webhook-client';

/**
 * How the control URL answers one command, and whether Vapi acted on it. By default a command is acted on when
 * it is answered 2xx; `acted` says otherwise: a gateway's 502 sent after Vapi took the command (acted, answer
 * lost), or a request Vapi dropped with its connection (not acted, answered late or never).
 */
export type VapiAnswer = ReturnType<ControlResponder> & { acted?: boolean };
export type VapiResponder = (command: ReceivedControlCommand) => VapiAnswer;

/**
 * Plays Vapi's side of a call for the load: the Live Call Control endpoint (the fake control server,
 * recording when each command arrived with sub-millisecond time) and, optionally, the `status-update`
 * Vapi sends once a transfer is forwarding, so transfers finish and agents are released as in real calls.
 */
export interface FakeVapi {
  control: FakeControlServer;
  /** Registers a call before its webhook is sent, so reports can name its tool call. */
  track(call: SimulatedCall): void;
  /** performance.now() at which the first `transfer` of each call arrived and was accepted. */
  firstTransferAt: ReadonlyMap<string, number>;
  /** Commands the control URL accepted (answered 2xx, however late): those Vapi acted on. */
  commands(): CommandRecord[];
  /** Commands it did not act on (refused non-2xx, or dropped): a retry of them is not a second transfer. */
  refusedCommands(): number;
  /** Commands acted on although their answer said otherwise (a 502 or 504 after Vapi took it). */
  actedDespiteError(): number;
  /** How the control URL answers from now on (default 200). */
  answerWith(responder: VapiResponder): void;
  /** Send Vapi's forwarding report to `webhookUrl` this long after each first transfer; null stops reporting. */
  reportTo(webhookUrl: string | null, delayMs?: number): void;
  /** Reports sent and how many were answered 2xx (each is retried a few times, as Vapi retries webhooks). */
  reports(): { sent: number; accepted: number };
  /** After each first transfer to an agent, mark that agent ready once it has handled the call; null stops it. */
  readyAgents(readiness: AgentReadiness | null): void;
  /** Agent-ready calls: scheduled (waiting for their handle time or sent), sent, answered 2xx. */
  readyCalls(): { scheduled: number; sent: number; accepted: number };
  /**
   * Every agent-ready call sent since the fake started, in the order sent (kept across `reset`: an agent marked
   * ready in one phase may end a hold of the phase before). The over-booking check's evidence of when a floor
   * may rightly have freed an agent after a call.
   */
  readyMarks(): ReadyMark[];
  /** Resolves once every agent-ready call scheduled so far has been sent and answered. */
  readyCallsSettled(): Promise<void>;
  /**
   * The caller hangs up: Vapi's `status-update` with status `ended` (customer-ended-call) for the call, posted to
   * `webhookUrl` and retried as Vapi retries webhooks; true once answered 2xx.
   */
  hangUp(webhookUrl: string, callId: string): Promise<boolean>;
  /** Hang-ups sent and how many were answered 2xx. */
  hangUps(): { sent: number; accepted: number };
  /**
   * Base URL of a stand-in for Vapi's API: `GET /call/{id}` answers `forwarding` once a transfer for the call
   * has arrived, else `in-progress` (what Switchboard asks before it would send a transfer again).
   */
  apiBaseUrl: string;
  /** How often the call-status API was asked. */
  statusLookups(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * The agents' side: a transfer to an agent is a call that agent handles for a while, after which the agent is
 * marked ready again through the operator API, as a desk application would.
 */
export interface AgentReadiness {
  /** The API's base URL and its ADMIN_TOKEN. */
  apiUrl: string;
  adminToken: string;
  /** The agent a control `transfer` destination belongs to; undefined for lines. */
  agentFor(destination: unknown): string | undefined;
  /** How long the agent handles this call, in ms, after Vapi reported it forwarding. */
  handleTimeMs(): number;
}

/** One agent-ready call (`POST /agents/:id/status {"status":"available"}`) as sent, in epoch ms. */
export interface ReadyMark {
  agentId: string;
  /** Just before the request left, rounded down: the floor cannot have applied it earlier. */
  sentAt: number;
  /** When its 2xx answer came back, rounded up: the floor had applied it by then. Null: no 2xx (yet), so it may be applied any time after `sentAt`. */
  acceptedAt: number | null;
}

/** Vapi retries a webhook that failed; so does the fake, so a report lost to a brief outage still arrives. */
async function postReport(url: string, body: unknown): Promise<boolean> {
  for (let attempt = 1; attempt <= 6; attempt += 1) {
    const reply = await postJson(url, body, 10_000);
    if (reply.status >= 200 && reply.status < 300) return true;
    await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
  }
  return false;
}

export async function startFakeVapi(): Promise<FakeVapi> {
  const control = await startFakeControlServer();
  let lookups = 0;
  const api = http.createServer((req, res) => {
    const match = /^\/call\/([^/?]+)/.exec(req.url ?? '');
    if (req.method !== 'GET' || !match) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
      return;
    }
    lookups += 1;
    const id = decodeURIComponent(match[1]!);
    const status = firstTransferAt.has(id) ? 'forwarding' : 'in-progress';
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, status }));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const apiBaseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const firstTransferAt = new Map<string, number>();
  const calls = new Map<string, SimulatedCall>();
  let answer: VapiResponder = () => ({ status: 200, body: {} });
  let reportTarget: { url: string; delayMs: number } | null = null;
  const reportCounts = { sent: 0, accepted: 0 };
  let readiness: AgentReadiness | null = null;
  const hangUpCounts = { sent: 0, accepted: 0 };
  const readyCounts = { scheduled: 0, sent: 0, accepted: 0 };
  const pendingReady = new Set<Promise<void>>();
  const marks: ReadyMark[] = [];
  const markReady = (desk: AgentReadiness, agentId: string, afterMs: number) => {
    readyCounts.scheduled += 1;
    const done = new Promise<void>((resolve) => setTimeout(resolve, afterMs))
      .then(async () => {
        readyCounts.sent += 1;
        const mark: ReadyMark = { agentId, sentAt: Date.now(), acceptedAt: null };
        marks.push(mark);
        const reply = await postJson(`${desk.apiUrl}/agents/${encodeURIComponent(agentId)}/status`, { status: 'available' }, 10_000, { authorization: `Bearer ${desk.adminToken}` });
        // Only a 2xx says the floor has applied it: after a timeout or a 5xx (the API's deadline) it may still be.
        if (reply.status >= 200 && reply.status < 300) {
          mark.acceptedAt = Date.now() + 1;
          readyCounts.accepted += 1;
        }
      })
      .finally(() => pendingReady.delete(done));
    pendingReady.add(done);
  };

  // Commands answered 2xx (or whose 2xx answer is merely late) were acted on: a 503 is Vapi saying "not done".
  // A responder may say otherwise (`acted`), and then the answer is not the truth: the record is.
  const executed: CommandRecord[] = [];
  let refused = 0;
  let actedDespiteError = 0;
  const record: ControlResponder = (command: ReceivedControlCommand) => {
    const at = performance.now();
    const { acted, ...reply } = answer(command);
    const type = String((command.body as { type?: unknown })?.type);
    const ok = reply.status >= 200 && reply.status < 300;
    if (!(acted ?? ok)) {
      refused += 1;
      return reply;
    }
    if (!ok) actedDespiteError += 1;
    const said = type === 'say' ? (command.body as { content?: unknown }).content : undefined;
    executed.push({ callId: command.callId, type, ...(typeof said === 'string' ? { said } : {}) });
    if (type === 'transfer' && !firstTransferAt.has(command.callId)) {
      firstTransferAt.set(command.callId, at);
      const call = calls.get(command.callId);
      const target = reportTarget;
      const agentId = readiness?.agentFor((command.body as { destination?: unknown }).destination);
      if (readiness && agentId) markReady(readiness, agentId, (target?.delayMs ?? 0) + readiness.handleTimeMs());
      if (call && target) {
        setTimeout(() => {
          reportCounts.sent += 1;
          void postReport(target.url, forwardingReport(call, control.controlUrlFor(call.callId))).then((accepted) => {
            if (accepted) reportCounts.accepted += 1;
          });
        }, target.delayMs);
      }
    }
    return reply;
  };
  control.respondWith(record);

  return {
    control,
    track: (call) => calls.set(call.callId, call),
    firstTransferAt,
    commands: () => [...executed],
    refusedCommands: () => refused,
    actedDespiteError: () => actedDespiteError,
    answerWith(responder) {
      answer = responder;
    },
    reportTo(url, delayMs = 200) {
      reportTarget = url ? { url, delayMs } : null;
    },
    reports: () => ({ ...reportCounts }),
    readyAgents(next) {
      readiness = next;
    },
    readyCalls: () => ({ ...readyCounts }),
    readyMarks: () => marks.map((mark) => ({ ...mark })),
    async readyCallsSettled() {
      while (pendingReady.size > 0) await Promise.all([...pendingReady]);
    },
    async hangUp(webhookUrl, callId) {
      hangUpCounts.sent += 1;
      const call = { id: callId, type: 'inboundPhoneCall', monitor: { controlUrl: control.controlUrlFor(callId) } };
      const accepted = await postReport(webhookUrl, buildCallStatusUpdate({ call, status: 'ended', endedReason: 'customer-ended-call' }));
      if (accepted) hangUpCounts.accepted += 1;
      return accepted;
    },
    hangUps: () => ({ ...hangUpCounts }),
    apiBaseUrl,
    statusLookups: () => lookups,
    reset() {
      control.received.length = 0;
      executed.length = 0;
      refused = 0;
      actedDespiteError = 0;
      firstTransferAt.clear();
      calls.clear();
      reportCounts.sent = 0;
      reportCounts.accepted = 0;
      readyCounts.scheduled = 0;
      readyCounts.sent = 0;
      readyCounts.accepted = 0;
      hangUpCounts.sent = 0;
      hangUpCounts.accepted = 0;
      lookups = 0;
    },
    async close() {
      api.closeAllConnections();
      await new Promise<void>((resolve) => api.close(() => resolve()));
      await control.close();
    },
  };
}
