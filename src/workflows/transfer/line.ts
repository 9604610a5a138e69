import { condition, log } from '@temporalio/workflow';
import type { CallDestination, CallbackAnswer, LinePlace } from '../../contracts';
import { overflowFromLine, routeRules, servedFromLine } from '../../routing/pipeline';
import { reads } from './activities';
import { promiseCallback } from './callback';
import { tellAssistant } from './caller';
import { describeFailure } from './describe';
import type { Routed } from './routing';
import { releaseAgent } from './routing';
import type { TransferState } from './state';
import { markNote } from './summary';

/** How a wait in line ends for the transfer (a caller who hangs up ends it with a `CallEnded` failure). */
export type LineOutcome = { agentId: string; destination: CallDestination; waitedSeconds: number } | { overflow: string } | { callback: CallbackAnswer };

/**
 * The caller waits in the department's line, with the assistant: the floor tells this transfer of each change
 * of place and of the agent it reserves for them, the assistant is told in turn (a control `add-message`),
 * and the caller keeps talking to the assistant meanwhile. Past the line's longest wait the caller leaves for
 * the department's phone line; a caller who hangs up leaves at once; a caller who takes a callback leaves
 * their place to it (an agent already free for them wins). Event-driven: nothing here polls.
 */
export async function waitInLine(transfer: TransferState, routed: Routed, first: LinePlace, why: 'joined' | 'back'): Promise<LineOutcome> {
  let place = first;
  transfer.joinedLine(place);
  await markNote(transfer, 'waiting-in-line', `position ${place.position} in ${place.department}'s line`);
  await tellAssistant(transfer, placeMessage(place, why), `Tell the assistant: position ${place.position} in ${place.department}'s line`);
  const deadline = place.joinedAt + place.maxWaitSeconds * 1000;
  for (;;) {
    const news = () => transfer.lineNotices.length > 0 || transfer.callEnded || transfer.callbackAsked !== null;
    const before = Math.max(deadline - Date.now(), 1);
    await condition(news, before, { summary: `Wait in ${place.department}'s line` });
    if (transfer.callEnded) {
      const waited = transfer.leaveLine('abandoned');
      await releaseAgent(transfer, undefined, ': the caller hung up while waiting');
      await markNote(transfer, 'abandoned', `the caller hung up after ${waited} s in ${place.department}'s line`);
      transfer.stopIfCallEnded();
    }
    if (transfer.callbackAsked && transfer.lineNotices[0]?.type !== 'assigned') {
      const answer = await promiseCallback(transfer, routed, place, transfer.callbackAsked);
      transfer.callbackAsked = null;
      transfer.callbackAnswer = answer;
      if (!answer.promised) continue;
      transfer.leaveLine('callback');
      return { callback: answer };
    }
    const notice = transfer.lineNotices.shift();
    if (!notice) {
      const waited = transfer.leaveLine('overflowed');
      await releaseAgent(transfer, undefined, ': waited too long');
      return { overflow: `Waited ${waited} s in ${place.department}'s line (its longest wait is ${place.maxWaitSeconds} s)` };
    }
    if (notice.type === 'position') {
      const moved = notice.position !== place.position;
      place = { ...place, position: notice.position, estimateSeconds: notice.estimateSeconds };
      transfer.movedInLine(place);
      await tellAssistant(transfer, placeMessage(place, moved ? 'moved' : 'still'), `Tell the assistant: position ${place.position}`);
      continue;
    }
    const destination = await transfer.step(
      'agentDestination',
      () => reads.agentDestination.executeWithOptions({ summary: `Where agent ${notice.agentId} is reached` }, [{ agentId: notice.agentId }]),
      (error) => {
        log.warn('agent destination not read', { error: describeFailure(error) });
        return null;
      },
    );
    if (!destination) {
      // The agent left the routing file while the caller waited: let them go, and wait for the next one.
      await releaseAgent(transfer, notice.agentId, ': not in the routing file any more');
      continue;
    }
    const waitedSeconds = transfer.leaveLine('served');
    return { agentId: notice.agentId, destination, waitedSeconds };
  }
}

/**
 * The caller waited for an agent and got one, or waited too long: the decision from here. Overflow asks the
 * rules again at this moment, so a caller whose wait ran past closing time goes to the after-hours line;
 * the assistant is told first.
 */
export async function afterTheLine(transfer: TransferState, routed: Routed, outcome: Exclude<LineOutcome, { callback: CallbackAnswer }>): Promise<Routed> {
  if ('agentId' in outcome) {
    const decision = servedFromLine(routed.rules, transfer.decision!, outcome.agentId, outcome.destination, outcome.waitedSeconds);
    transfer.decide(decision, transfer.customer!);
    return { decision, rules: routed.rules };
  }
  const { request } = transfer;
  const asOf = request.routeAt ? new Date(Date.parse(request.routeAt) + (Date.now() - Date.parse(request.receivedAt))).toISOString() : undefined;
  const snapshot = await transfer.step('loadRoutingRules', () =>
    reads.loadRoutingRules.executeWithOptions({ summary: 'Load the routing rules again: is the department still open?' }, [asOf ? { routeAt: asOf } : {}]),
  );
  const rules = routeRules({ ...routed.rules.input, policy: { ...snapshot.rules, agents: [] }, at: snapshot.at, clocks: snapshot.clocks });
  const decision = overflowFromLine(rules, outcome.overflow);
  transfer.decide(decision, transfer.customer!);
  await tellAssistant(transfer, `${outcome.overflow}. The caller is being put through to the ${decision.label ?? 'department line'} now: tell them, briefly.`, `Tell the assistant: on to the ${decision.label}`);
  return { decision, rules };
}

/** What the assistant is told about the caller's place: the facts and what to say, in a system message. */
export function placeMessage(place: LinePlace, why: 'joined' | 'moved' | 'still' | 'back'): string {
  const wait = place.estimateSeconds < 90 ? `about ${Math.max(place.estimateSeconds, 10)} seconds` : `about ${Math.round(place.estimateSeconds / 60)} minutes`;
  const where = place.position === 1 ? 'next in line' : `number ${place.position} in line`;
  const opening = {
    joined: `Every ${place.department} agent is busy. The caller is ${where}; the estimated wait is ${wait}.`,
    moved: `Update: the caller is now ${where} for ${place.department}; the estimated wait is ${wait}.`,
    still: `Update: the caller is still ${where} for ${place.department}; the estimated wait is ${wait}.`,
    back: `The agent did not pick up. The caller is back with you and ${where} for ${place.department}; the estimated wait is ${wait}.`,
  }[why];
  const callback = place.callbacks ? ' Offer a call back instead (the request_callback tool) if they would rather not wait.' : '';
  return `${opening} Tell the caller, keep helping them meanwhile, and do not transfer: they will be put through when an agent is free.${callback}`;
}
