import { ActivityFailure, ApplicationFailure, CancellationScope, TimeoutFailure, condition, isCancellation, log, sleep } from '@temporalio/workflow';
import type { CallDestination, RoutingDecision, TransferOutcome } from '../../contracts';
import { FailureType, POST_FAILURE_PROOF, classifyEndedReason, dialWindowSeconds, mayHaveBeenSent } from '../../contracts';
import { criteriaOf, withPlan } from '../../routing/pipeline';
import { callControl, vapiApi } from './activities';
import { tellCaller } from './caller';
import { HOLD_MESSAGE, SORRY_MESSAGE, announcement, describeFailure, failureType, target } from './describe';
import type { Routed } from './routing';
import { waitInLine } from './line';
import { lineFor, releaseAgent, reserve } from './routing';
import type { TransferState } from './state';

/** POST attempts Vapi provably did not act on (not delivered, 503, 429) before the transfer gives up. */
export const TRANSFER_ATTEMPTS = 8;

/** Where one POST goes. */
interface Target {
  label: string;
  agentId: string | null;
  destination: CallDestination;
  content: string;
}

/** What one POST proved. */
type Posted = 'accepted' | 'doubt';

/**
 * What became of a transfer to one destination, once Vapi has said (or could not say):
 * - `back`: the destination did not connect and Vapi's API says the caller is with the assistant again;
 * - `silent`: no word from Vapi, and its API could not be asked.
 */
type Verdict = 'transferred' | 'not-connected' | 'caller-hung-up' | 'call-ended' | 'back' | 'silent';

/**
 * Delivers the transfer: POSTs it to the call's controlUrl, resolves any doubt about whether Vapi got it, and
 * follows the fallback chain while Vapi says the caller is still with the assistant. The one rule it keeps:
 * **undo only while nothing can have reached Vapi.** A POST Vapi refused (4xx) or provably never got (not
 * delivered, 503, 429) changed nothing: it is retried or the transfer fails and is undone. A POST that may
 * have reached Vapi (500, 502, 504, 408, a timeout or a worker lost after writing) is never sent again
 * blindly: the caller is asked to hold, Vapi's word is awaited for the mode's dial time, and its API asked;
 * only a caller Vapi says is back with the assistant gets the transfer once more. Without Vapi's API such a
 * doubt ends `unknown`: nothing undone, nothing sent again.
 */
export async function deliver(transfer: TransferState, routed: Routed): Promise<TransferOutcome> {
  const controlUrl = transfer.request.controlUrl;
  if (!controlUrl) throw ApplicationFailure.nonRetryable('the call has no controlUrl', FailureType.NoDestination);
  const decision = routed.decision;
  const tried = new Set<string>(decision.agentId ? [decision.agentId] : []);
  let current: Target = { label: target(decision), agentId: decision.agentId, destination: decision.destination, content: announcement(decision) };
  let lines = [...decision.fallbacks.filter((fallback) => fallback.agentId === null)];
  // One more agent when the first does not connect: the floor is asked again (someone may be free by now, and
  // a department with a line puts the caller back at its front when nobody is).
  let agentsLeft = criteriaOf(routed.rules) !== null && decision.agentId !== null;
  let fallingBack = false;

  for (;;) {
    let verdict: Verdict;
    try {
      verdict = await deliverTo(transfer, current);
    } catch (error) {
      // The first destination's failures take the failure path (it decides whether anything is undone). A
      // fallback's POST that was refused or never delivered changed nothing: on to the next destination.
      if (!fallingBack || isCancellation(error) || failureType(error) === FailureType.CallEnded) throw error;
      log.warn('fallback transfer not made; trying the next destination', { error: describeFailure(error) });
      verdict = 'back';
    }
    if (verdict !== 'back') return outcomeOf(transfer, verdict);
    // Vapi's word on this destination is spent: what it says from here is about the next one (or the caller
    // hanging up while they wait for it).
    transfer.reported = null;

    // The caller is with the assistant again: free this agent and try the next destination, telling them.
    if (current.agentId) await releaseAgent(transfer, current.agentId, ': did not connect');
    let next: Target | null = null;
    if (agentsLeft) {
      agentsLeft = false;
      const agent = await nextAgent(transfer, routed, tried);
      if (agent === 'callback') return 'callback-promised';
      next = agent;
    }
    next ??= nextLine(lines);
    lines = lines.filter((line) => line.label !== next?.label);
    if (!next) {
      await tellCaller(transfer, SORRY_MESSAGE, 'Tell the caller nobody could be reached');
      return 'not-connected';
    }
    fallingBack = true;
    transfer.fallingBack();
    const reasons = [...transfer.decision!.reasons, `${current.label} did not connect: falling back to ${next.label}.`];
    transfer.decide({ ...transfer.decision!, agentId: next.agentId, destination: next.destination, label: next.label, reasons, decidedBy: 'fallback' }, transfer.customer!);
    current = next;
  }
}

/**
 * POSTs to one destination and finds out what became of it. A POST of unknown fate is sent once more only when,
 * after the dial time, Vapi's API says the caller is still with the assistant and Vapi reported nothing.
 */
async function deliverTo(transfer: TransferState, to: Target): Promise<Verdict> {
  let resent = false;
  for (;;) {
    const posted = await post(transfer, to);
    if (posted === 'accepted') {
      transfer.surelySent();
      transfer.transferAccepted();
    } else {
      transfer.maybeSent();
      transfer.inDoubt();
      await tellCaller(transfer, HOLD_MESSAGE, 'Ask the caller to hold while Vapi is asked');
    }
    const verdict = await watch(transfer, to.destination, posted);
    if (verdict === 'back' && posted === 'doubt' && !resent) {
      resent = true;
      log.warn('a transfer of unknown fate did not reach the caller (Vapi says they are still with the assistant): sending it once more');
      continue;
    }
    return verdict;
  }
}

/**
 * The POST, one activity per attempt, each run to its end whatever a cancel says. Retried: attempts Vapi
 * provably did not act on (after `Retry-After` or a backoff) and attempts that provably never left (their
 * worker died before the attempt was recorded: at once). Thrown: a refusal, or running out of attempts.
 */
async function post(transfer: TransferState, to: Target): Promise<Posted> {
  transfer.status.stage = 'transferring';
  const { callId, controlUrl } = transfer.request;
  for (let attempt = 1; ; attempt += 1) {
    const summary = `Transfer to ${to.label}${attempt > 1 ? ` (attempt ${attempt})` : ''}`;
    const failure = await CancellationScope.nonCancellable(() =>
      transfer.step('executeTransfer', () =>
        callControl.executeTransfer.executeWithOptions({ summary }, [{ callId, controlUrl: controlUrl!, destination: to.destination, content: to.content }]).then(() => null),
      ),
    ).catch((error: unknown) => error);
    if (failure === null) return 'accepted';
    const proven = whatItProved(failure);
    if (proven === 'maybe-sent') return 'doubt';
    if (proven === 'refused' || attempt >= TRANSFER_ATTEMPTS) throw failure;
    if (proven === 'not-sent') {
      await sleep(retryAfterMs(failure) ?? Math.min(250 * 2 ** (attempt - 1), 2_000), { summary: `Back off before transfer attempt ${attempt + 1}` });
    }
    // Nothing reached Vapi from this destination: a caller who hung up meanwhile is sent nowhere.
    transfer.stopIfCallEnded();
  }
}

/** What a failed POST attempt proves about whether Vapi may have acted on it (the callback's transfer reads it too). */
export function whatItProved(failure: unknown): 'refused' | 'not-sent' | 'never-left' | 'maybe-sent' {
  const type = failureType(failure);
  const proof = type ? POST_FAILURE_PROOF[type as FailureType] : undefined;
  if (proof) return proof;
  if (failure instanceof ActivityFailure && failure.cause instanceof TimeoutFailure) {
    // The worker running the attempt is gone (or stuck). Its last heartbeat says whether it got as far as sending.
    return mayHaveBeenSent(failure.cause.lastHeartbeatDetails) ? 'maybe-sent' : 'never-left';
  }
  // Unknown fate (500, 502, 504, 408, a lost answer), or a failure nobody classified: it may have been sent.
  return 'maybe-sent';
}

export function retryAfterMs(failure: unknown): number | undefined {
  const cause = failure instanceof ActivityFailure ? failure.cause : failure;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as { retryAfterMs?: number | null } | undefined) : undefined;
  return typeof details?.retryAfterMs === 'number' ? details.retryAfterMs : undefined;
}

/**
 * After a POST: Vapi's word on it. In doubt, its API is asked at once (it may already say `forwarding`). Then
 * Vapi's reports are awaited for the destination's dial time — a warm transfer may ring that long, and until
 * then silence proves nothing — and the API asked: `in-progress` with nothing reported means the caller is
 * back with the assistant. When the API cannot be asked, reports are awaited until the outcome timeout (counted
 * from the POST) has passed.
 */
async function watch(transfer: TransferState, destination: CallDestination, posted: Posted): Promise<Verdict> {
  transfer.status.stage = posted === 'accepted' ? 'awaiting-outcome' : 'resolving-doubt';
  const { request } = transfer;
  const startedAt = Date.now();
  const heard = () => transfer.reported !== null;
  if (posted === 'doubt' && !heard()) {
    const early = await askVapi(transfer, 'Ask Vapi whether the transfer reached the call');
    if (early !== null && early !== 'back') return early;
  }
  if (!heard()) await condition(heard, dialWindowSeconds(destination, request) * 1000, { summary: 'Wait for Vapi to report the transfer' });
  if (!heard()) {
    const asked = await askVapi(transfer, 'Ask Vapi whether the caller is still with the assistant');
    if (asked !== null && !heard()) return asked;
  }
  const rest = request.outcomeTimeoutSeconds * 1000 - (Date.now() - startedAt);
  if (!heard() && rest > 0) await condition(heard, rest, { summary: 'Wait for Vapi to report the outcome' });
  return heard() ? fromReport(transfer) : 'silent';
}

/** Vapi's API on the call: null when it cannot tell (no VAPI_API_KEY, or it did not answer). */
async function askVapi(transfer: TransferState, summary: string): Promise<Verdict | null> {
  const { status, endedReason } = await transfer.step(
    'checkCallState',
    () => vapiApi.checkCallState.executeWithOptions({ summary }, [{ callId: transfer.request.callId }]),
    () => ({ status: null }),
  );
  if (transfer.reported !== null) return fromReport(transfer);
  switch (status) {
    case 'forwarding':
      return 'transferred';
    case 'ended': {
      const kind = classifyEndedReason(endedReason ?? null);
      return kind === 'transferred' ? 'transferred' : kind;
    }
    case 'in-progress':
      return 'back';
    default:
      return null;
  }
}

function fromReport(transfer: TransferState): Verdict {
  const kind = transfer.reported!.kind;
  return kind === 'transferred' ? 'transferred' : kind;
}

/** The transfer's outcome from its last verdict: silence after an accepted POST is `transfer-initiated`, after a doubtful one `unknown`. */
function outcomeOf(transfer: TransferState, verdict: Exclude<Verdict, 'back'>): TransferOutcome {
  switch (verdict) {
    case 'transferred':
      return 'transferred';
    case 'not-connected':
      return 'not-connected';
    case 'caller-hung-up':
      return 'caller-hung-up';
    case 'call-ended':
    case 'silent':
      return transfer.sent === 'yes' ? 'transfer-initiated' : 'unknown';
  }
}

/**
 * The next qualified agent from the floor (excluding those tried): one free now, or, when every one is busy
 * and the department has a line, the first one free while the caller waits at the front of it, back with the
 * assistant. None: the lines.
 */
async function nextAgent(transfer: TransferState, routed: Routed, tried: Set<string>): Promise<Target | 'callback' | null> {
  const criteria = criteriaOf(routed.rules);
  if (!criteria) return null;
  const answer = await reserve(transfer, { ...criteria, exclude: [...tried] }, ' (fallback)', lineFor(transfer, routed.rules, true));
  if ('unreserved' in answer) return null;
  let agentId = answer.reservation.agentId;
  let destination = agentId ? answer.destinations[agentId] : undefined;
  let content = 'Sorry, nobody picked up there. Let me try the next colleague for you.';
  if (answer.reservation.queued) {
    const waited = await waitInLine(transfer, routed, answer.reservation.queued, 'back');
    if ('callback' in waited) return 'callback';
    if ('overflow' in waited) return null;
    ({ agentId, destination } = waited);
    content = 'Thank you for waiting. Connecting you now.';
  }
  if (!agentId) return null;
  tried.add(agentId);
  if (!destination) return null;
  const decision = transfer.decision!;
  return { label: `agent ${agentId}`, agentId, destination: withPlan(destination, decision.mode, decision.agentMessage), content };
}

function nextLine(lines: RoutingDecision['fallbacks']): Target | null {
  const line = lines[0];
  return line ? { label: line.label, agentId: null, destination: line.destination, content: `Sorry, nobody picked up there. Let me try the ${line.label} for you.` } : null;
}
