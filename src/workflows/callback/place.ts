import { condition, isCancellation, log } from '@temporalio/workflow';
import type { PlacedCallback } from '../../contracts';
import { classifyEndedReason } from '../../contracts';
import { vapiApi } from '../transfer/activities';
import { describeFailure } from '../transfer/describe';
import { placing } from './activities';
import type { CallbackState } from './state';

/** How an attempt that did not reach the agent ended: `missed` may be tried again, `failed` may not. */
export type NotReached = { missed: string } | { failed: string };

/** How long a placed call may go without Vapi's word before its API is asked (dialling and ringing take this long at most). */
export const RING_SECONDS = 60;
/** Vapi's API saying "still ringing" is believed this many times, then the attempt counts as unanswered. */
const RING_CHECKS = 3;

/** Vapi's endedReasons that no later attempt can change: the number or the assistant is wrong. */
const HOPELESS = new Set(['twilio-reported-customer-misdialed', 'assistant-not-found', 'assistant-not-valid', 'assistant-not-provided']);

/**
 * Places the call back for this attempt through Vapi's API (see `placeCallback`: at most one call per attempt,
 * whatever fails or restarts). A refusal (4xx) or a Vapi that stayed unavailable through the retries ends the
 * callback failed, with the reason.
 */
export async function placeCall(state: CallbackState, attempt: number, agentId: string): Promise<PlacedCallback | NotReached> {
  const { input } = state;
  state.status.attempt = attempt;
  state.stage('callback-placing', `${state.label}: placing attempt ${attempt} of ${input.attempts}, agent ${agentId} reserved`);
  try {
    const call = await placing.placeCallback.executeWithOptions({ summary: `Place the call back (attempt ${attempt} of ${input.attempts})` }, [
      {
        callbackId: input.callbackId,
        attempt,
        decidedAt: new Date().toISOString(),
        ...(input.assistantId ? { assistantId: input.assistantId } : {}),
        customerNumber: input.customerNumber,
        variableValues: { callback: true, callbackReason: input.reason ?? '', department: input.department, attempt },
      },
    ]);
    state.placed(call.callId);
    state.count('placed');
    if (!call.controlUrl) return { failed: 'Vapi placed the call without Live Call Control (no monitor.controlUrl): it cannot be put through to the agent' };
    return call;
  } catch (error) {
    if (isCancellation(error)) throw error;
    return { failed: `the call back could not be placed: ${describeFailure(error)}` };
  }
}

/**
 * Waits for the caller to answer the call placed: Vapi's `in-progress` for it. A call Vapi reports ended before
 * that was not answered (no answer, busy, voicemail, could not connect): `missed`, unless its reason says no
 * attempt can succeed. Silence past the ring time is settled by Vapi's API.
 */
export async function awaitAnswer(state: CallbackState, call: PlacedCallback): Promise<'answered' | NotReached> {
  state.stage('callback-ringing', `${state.label}: calling (attempt ${state.status.attempt} of ${state.input.attempts}), agent ${state.status.agentId} reserved`);
  for (let check = 1; ; check += 1) {
    const word = () => state.heard(call.callId, ['in-progress', 'forwarding', 'ended']);
    await condition(() => word() !== undefined, RING_SECONDS * 1000, { summary: 'Wait for the caller to answer the call back' });
    const heard = word() ?? (await askVapi(call.callId));
    if (heard?.status === 'ended') return ended(heard.endedReason);
    if (heard?.status === 'in-progress' || heard?.status === 'forwarding') {
      state.count('answered');
      return 'answered';
    }
    if (check >= RING_CHECKS || (heard?.status !== 'queued' && heard?.status !== 'ringing')) {
      return { missed: `no word of the call after ${check * RING_SECONDS} s (Vapi's API says ${heard?.status ?? 'nothing'})` };
    }
  }
}

/** Vapi's API on a call: its status and why it ended, or null when it cannot tell. */
export async function askVapi(callId: string): Promise<{ status: string; endedReason: string | null } | null> {
  const report = await vapiApi.checkCallState.executeWithOptions({ summary: 'Ask Vapi where the call back stands' }, [{ callId }]).catch((error: unknown) => {
    if (isCancellation(error)) throw error;
    log.warn('Vapi not asked about a call back', { error: describeFailure(error) });
    return { status: null };
  });
  return report.status ? { status: report.status, endedReason: report.endedReason ?? null } : null;
}

/** A call back that ended before anyone was put through, in a supervisor's words. */
export function ended(endedReason: string | null): NotReached {
  const why = endedReason ?? 'no reason given';
  if (endedReason && (HOPELESS.has(endedReason) || endedReason.startsWith('call.start.error'))) return { failed: `Vapi ended the call back: ${why}` };
  switch (endedReason) {
    case 'customer-did-not-answer':
      return { missed: `nobody answered (${why})` };
    case 'customer-busy':
      return { missed: `the line was busy (${why})` };
    case 'voicemail':
      return { missed: `voicemail answered (${why})` };
    default:
      return { missed: classifyEndedReason(endedReason) === 'caller-hung-up' ? `the caller hung up (${why})` : `the call ended (${why})` };
  }
}
