import { CancellationScope, condition, log, sleep } from '@temporalio/workflow';
import type { CallDestination, PlacedCallback } from '../../contracts';
import { classifyEndedReason, dialWindowSeconds } from '../../contracts';
import { afterwards, callControl } from '../transfer/activities';
import { TRANSFER_ATTEMPTS, retryAfterMs, whatItProved } from '../transfer/delivery';
import { announcement, describeFailure } from '../transfer/describe';
import type { NotReached } from './place';
import { askVapi, ended } from './place';
import type { CallbackState } from './state';

/** How putting the answered call back through to the agent ended. */
export type Delivered = 'transferred' | 'transfer-initiated' | 'unknown' | NotReached;

/** Said on the call back when the agent it was placed for did not pick up: it will be tried again. */
export const AGENT_MISSED_MESSAGE = "I'm sorry, the colleague who was free a moment ago could not take your call after all. We will call you back again shortly.";

type Verdict = 'transferred' | 'back' | 'silent' | NotReached;

/**
 * Puts the answered call back through to the agent reserved for it: the control `transfer` on the placed call's
 * own controlUrl, under the transfer's rule — never sent again without Vapi's word. A POST Vapi refused or
 * provably never got is retried (or ends the attempt); one that may have reached Vapi is settled by Vapi's
 * reports and its API, and sent once more only when, after the dial time, Vapi says the caller is still with
 * the assistant and reported nothing.
 */
export async function putThrough(state: CallbackState, call: PlacedCallback, to: { agentId: string; destination: CallDestination }): Promise<Delivered> {
  let accepted = false;
  for (let resent = false; ; resent = true) {
    const posted = await post(state, call, to);
    if (typeof posted !== 'string') return posted;
    accepted ||= posted === 'accepted';
    const verdict = await watch(state, call, to.destination, posted);
    if (verdict === 'back' && posted === 'doubt' && !resent) {
      log.warn('a call back transfer of unknown fate did not reach the agent (Vapi says the caller is still with the assistant): sending it once more');
      continue;
    }
    if (verdict === 'transferred') return 'transferred';
    if (verdict === 'silent') return accepted ? 'transfer-initiated' : 'unknown';
    if (verdict === 'back') {
      await afterwards.sayToCaller
        .executeWithOptions({ summary: 'Tell the caller the agent could not take the call', retry: { maximumAttempts: 3 } }, [{ callId: call.callId, controlUrl: call.controlUrl!, content: AGENT_MISSED_MESSAGE }])
        .catch((error: unknown) => log.warn('could not tell the caller', { error: describeFailure(error) }));
      return { missed: `agent ${to.agentId} did not pick up` };
    }
    return verdict;
  }
}

/** The POST, one activity per attempt, each run to its end whatever a cancel says (see the transfer's delivery). */
async function post(state: CallbackState, call: PlacedCallback, to: { agentId: string; destination: CallDestination }): Promise<'accepted' | 'doubt' | NotReached> {
  for (let attempt = 1; ; attempt += 1) {
    const failure = await CancellationScope.nonCancellable(() =>
      callControl.executeTransfer
        .executeWithOptions({ summary: `Put the call back through to agent ${to.agentId}${attempt > 1 ? ` (attempt ${attempt})` : ''}` }, [
          { callId: call.callId, controlUrl: call.controlUrl!, destination: to.destination, content: `Thank you for waiting. ${announcement(state.input.decision)}` },
        ])
        .then(() => null),
    ).catch((error: unknown) => error);
    if (failure === null) return 'accepted';
    const proven = whatItProved(failure);
    if (proven === 'maybe-sent') return 'doubt';
    if (proven === 'refused' || attempt >= TRANSFER_ATTEMPTS) return { failed: `the transfer to agent ${to.agentId} was not made: ${describeFailure(failure)}` };
    if (proven === 'not-sent') await sleep(retryAfterMs(failure) ?? Math.min(250 * 2 ** (attempt - 1), 2_000), { summary: `Back off before transfer attempt ${attempt + 1}` });
    // Nothing reached Vapi: a caller who hung up meanwhile is put through to nobody.
    const gone = state.heard(call.callId, ['ended']);
    if (gone) return ended(gone.endedReason);
  }
}

/**
 * After a POST: Vapi's word on it (`forwarding`, a transfer-update, or the call ending), awaited for the
 * destination's dial time and then asked of its API; `in-progress` with nothing reported means the caller is
 * back with the assistant. Silence after that lasts until the outcome timeout, counted from the POST.
 */
async function watch(state: CallbackState, call: PlacedCallback, destination: CallDestination, posted: 'accepted' | 'doubt'): Promise<Verdict> {
  const timings = state.input.timings;
  const startedAt = Date.now();
  const word = () => state.heard(call.callId, ['forwarding', 'ended']);
  if (posted === 'doubt' && !word()) {
    const early = verdictOf(await askVapi(call.callId));
    if (early !== null && early !== 'back') return early;
  }
  if (!word()) await condition(() => word() !== undefined, dialWindowSeconds(destination, timings) * 1000, { summary: 'Wait for Vapi to report the transfer to the agent' });
  if (!word()) {
    const asked = verdictOf(await askVapi(call.callId));
    if (asked !== null && !word()) return asked;
  }
  const rest = timings.outcomeTimeoutSeconds * 1000 - (Date.now() - startedAt);
  if (!word() && rest > 0) await condition(() => word() !== undefined, rest, { summary: 'Wait for Vapi to report the outcome' });
  const heard = word();
  return heard ? verdictOf(heard)! : 'silent';
}

function verdictOf(report: { status: string; endedReason: string | null } | null): Verdict | null {
  switch (report?.status) {
    case 'forwarding':
      return 'transferred';
    case 'ended':
      return classifyEndedReason(report.endedReason) === 'transferred' ? 'transferred' : ended(report.endedReason);
    case 'in-progress':
      return 'back';
    default:
      return null;
  }
}

