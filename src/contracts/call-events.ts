import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CallDestination } from './destinations';

/**
 * What Vapi reported about the call, reduced to what a transfer needs: no transcript, no numbers. The API
 * turns `status-update`, `transfer-update` and `end-of-call-report` messages into these.
 */
export type CallEvent =
  | { kind: 'forwarding' }
  | { kind: 'ended'; endedReason: string | null }
  | { kind: 'transfer-update'; destinationType: string | null };

/** Delivered to every running transfer workflow of the call. */
export const callEventSignal = defineSignal<[CallEvent]>('callEvent');

/** The answer to a `transfer-destination-request`: where Vapi should send the call, and what to say first. */
export interface DestinationAnswer {
  destination: CallDestination;
  /** Spoken to the caller by Vapi before it transfers. */
  announcement: string;
}

/**
 * Asked (with Update-with-Start) of a transfer workflow started for a `transfer-destination-request`:
 * resolves as soon as routing has decided, while the workflow goes on to post the summary and wait for the
 * outcome. Fails when no destination could be decided.
 */
export const decideDestinationUpdate = defineUpdate<DestinationAnswer>('decideDestination');

/**
 * Sent by the API to a transfer started for a `transfer-destination-request` when the API stopped waiting and
 * told Vapi there is no destination: Vapi will not transfer, so the transfer abandons whatever it holds.
 */
export const destinationAbandonedSignal = defineSignal('destinationAbandoned');

/** How Vapi's `endedReason` reads for a transfer. */
export type CallOutcomeKind = 'transferred' | 'not-connected' | 'caller-hung-up' | 'call-ended';

const TRANSFERRED = new Set(['assistant-forwarded-call', 'call.ringing.hook-executed-transfer', 'call.ending.hook-executed-transfer']);
const CALLER_LEFT = new Set([
  'customer-ended-call',
  'customer-ended-call-before-warm-transfer',
  'customer-ended-call-during-transfer',
  'customer-ended-call-after-warm-transfer-attempt',
]);

/**
 * Classifies an `endedReason`. `assistant-forwarded-call` means Vapi started the transfer, not that the far
 * end answered: it is the strongest confirmation Vapi gives for a blind transfer.
 */
export function classifyEndedReason(endedReason: string | null): CallOutcomeKind {
  if (!endedReason) return 'call-ended';
  if (TRANSFERRED.has(endedReason)) return 'transferred';
  if (CALLER_LEFT.has(endedReason)) return 'caller-hung-up';
  if (
    endedReason.startsWith('call.forwarding.') ||
    endedReason === 'call.in-progress.error-transfer-failed' ||
    endedReason.startsWith('call.in-progress.error-warm-transfer')
  ) {
    return 'not-connected';
  }
  return 'call-ended';
}
