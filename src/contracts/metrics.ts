import type { Sinks } from '@temporalio/workflow';
import type { TransferOutcome } from './transfer';

/** How a wait in line ends. */
export const LINE_EXITS = ['served', 'overflowed', 'abandoned', 'callback'] as const;
export type LineExit = (typeof LINE_EXITS)[number];

/**
 * What transfer workflows report for metrics. A sink, not an activity: it writes nothing to history, costs
 * the caller no latency, and is skipped when a workflow replays, so nothing is counted twice.
 */
export interface TransferSinks extends Sinks {
  transferMetrics: {
    /** The control `transfer` was accepted; `receivedAt` is when the webhook accepted the request. */
    executed(event: { department: string | null; receivedAt: string }): void;
    finished(event: { department: string | null; outcome: TransferOutcome }): void;
    fallback(event: { department: string | null }): void;
    compensated(event: { compensation: string }): void;
    /** The floor could not be asked for an agent in time: the caller went to the department's line. */
    reservationFailed(event: { department: string | null }): void;
    /** A caller's wait in line ended: served by an agent, overflowed to the department line, hung up, or a callback took their place. */
    lineLeft(event: { department: string; how: LineExit; waitedSeconds: number }): void;
  };
}

/** What happens to a callback, counted in `switchboard_callbacks_total{department,event}`. */
export const CALLBACK_EVENTS = ['promised', 'placed', 'answered', 'missed', 'failed'] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];

/** What callback workflows report for metrics (a sink, like {@link TransferSinks}). */
export interface CallbackSinks extends Sinks {
  callbackMetrics: {
    event(event: { department: string; event: CallbackEvent }): void;
  };
}

/** Every sink a Switchboard worker provides. */
export type SwitchboardSinks = TransferSinks & CallbackSinks;
