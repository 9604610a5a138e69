import type { ReceivedControlCommand } from './fake-control-server';
import type { FakeVapiApi, FakeVapiCall } from './fake-vapi-api';
import { buildCallStatusUpdate } from './vapi-payloads';

/** What the person called back does: picks up, lets it ring out (`endedReason`), or Vapi says nothing at all. */
export type CalleeBehaviour = 'answer' | { endedReason: string } | 'silent';

export interface CallbackPlayer {
  /**
   * A control command arrived on some call's controlUrl: a `transfer` on a call this player placed is taken
   * as Vapi takes it (answered 200 by the control server) and reported `forwarding` a moment later. True when
   * the command was about such a call.
   */
  controlReceived(command: ReceivedControlCommand): boolean;
  /** Reports sent so far, as `status -> HTTP code` lines (no numbers). */
  reports: string[];
  /** Resolves once every report sent so far has been answered. */
  settled(): Promise<void>;
}

/**
 * Plays Vapi for the calls placed through a fake Vapi API: each call created is reported to Switchboard's
 * webhook as Vapi reports an outbound call (`ringing`, then `in-progress` when the callee picks up, or `ended`
 * with the reason it did not connect), and a transfer sent to its controlUrl is reported `forwarding`. Used by
 * the simulator and the tests.
 */
export function playCallbacks(options: {
  api: FakeVapiApi;
  /** POSTs a webhook body to Switchboard; resolves with the HTTP status. */
  post: (body: unknown) => Promise<number>;
  /** What the callee does on the nth call placed (1-based). */
  callee?: (call: FakeVapiCall, nth: number) => CalleeBehaviour;
  /** Between two reports of one call. */
  stepMs?: number;
  onReport?: (line: string) => void;
}): CallbackPlayer {
  const reports: string[] = [];
  const pending = new Set<Promise<void>>();
  const step = options.stepMs ?? 100;
  let placed = 0;

  const report = (call: FakeVapiCall, status: string, endedReason?: string) => {
    options.api.setStatus(call.id, status, endedReason);
    const sent = (async () => {
      const code = await options.post(buildCallStatusUpdate({ call: { ...call }, status, ...(endedReason ? { endedReason } : {}) }));
      const line = `status-update ${status}${endedReason ? ` (${endedReason})` : ''} for call ${call.id} -> HTTP ${code}`;
      reports.push(line);
      options.onReport?.(line);
    })().finally(() => pending.delete(sent));
    pending.add(sent);
    return sent;
  };
  const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  options.api.onCreate((call) => {
    placed += 1;
    const behaviour = options.callee?.(call, placed) ?? 'answer';
    if (behaviour === 'silent') return;
    void (async () => {
      await later(step);
      await report(call, 'ringing');
      await later(step);
      if (behaviour === 'answer') await report(call, 'in-progress');
      else await report(call, 'ended', behaviour.endedReason);
    })().catch(() => undefined);
  });

  return {
    reports,
    controlReceived(command) {
      const call = options.api.calls.find((candidate) => candidate.id === command.callId);
      if (!call) return false;
      if ((command.body as { type?: unknown })?.type === 'transfer') void later(step).then(() => report(call, 'forwarding')).catch(() => undefined);
      return true;
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
