import type { ControlResponder, FakeControlServer, ReceivedControlCommand } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import type { CommandRecord } from './accounting';
import type { SimulatedCall } from './traffic';
import { forwardingReport } from './traffic';
import { postJson } from './webhook-client';

/**
 * Plays Vapi's side of a call for the load: the Live Call Control endpoint (the fake control server,
 * recording when each command arrived with sub-millisecond time) and, optionally, the `status-update`
 * Vapi sends once a transfer is forwarding, so transfers finish and agents are released as in real calls.
 */
export interface FakeVapi {
  control: FakeControlServer;
  /** Registers a call before its webhook is sent, so reports can name its tool call. */
  track(call: SimulatedCall): void;
  /** performance.now() at which the first `transfer` of each call arrived. */
  firstTransferAt: ReadonlyMap<string, number>;
  commands(): CommandRecord[];
  /** How the control URL answers from now on (default 200). */
  answerWith(responder: ControlResponder): void;
  /** Send Vapi's forwarding report to `webhookUrl` this long after each first transfer; null stops reporting. */
  reportTo(webhookUrl: string | null, delayMs?: number): void;
  /** Reports sent and how many were answered 2xx. */
  reports(): { sent: number; accepted: number };
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeVapi(): Promise<FakeVapi> {
  const control = await startFakeControlServer();
  const firstTransferAt = new Map<string, number>();
  const calls = new Map<string, SimulatedCall>();
  let answer: ControlResponder = () => ({ status: 200, body: {} });
  let reportTarget: { url: string; delayMs: number } | null = null;
  const reportCounts = { sent: 0, accepted: 0 };

  const record: ControlResponder = (command: ReceivedControlCommand) => {
    const at = performance.now();
    const type = (command.body as { type?: unknown })?.type;
    if (type === 'transfer' && !firstTransferAt.has(command.callId)) {
      firstTransferAt.set(command.callId, at);
      const call = calls.get(command.callId);
      const target = reportTarget;
      if (call && target) {
        setTimeout(() => {
          reportCounts.sent += 1;
          void postJson(target.url, forwardingReport(call, control.controlUrlFor(call.callId))).then((reply) => {
            if (reply.status >= 200 && reply.status < 300) reportCounts.accepted += 1;
          });
        }, target.delayMs);
      }
    }
    return answer(command);
  };
  control.respondWith(record);

  return {
    control,
    track: (call) => calls.set(call.callId, call),
    firstTransferAt,
    commands: () => control.received.map((command) => ({ callId: command.callId, type: String((command.body as { type?: unknown })?.type) })),
    answerWith(responder) {
      answer = responder;
    },
    reportTo(url, delayMs = 200) {
      reportTarget = url ? { url, delayMs } : null;
    },
    reports: () => ({ ...reportCounts }),
    reset() {
      control.received.length = 0;
      firstTransferAt.clear();
      calls.clear();
      reportCounts.sent = 0;
      reportCounts.accepted = 0;
    },
    close: () => control.close(),
  };
}
