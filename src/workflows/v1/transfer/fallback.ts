import type { FallbackTarget, RoutingDecision, RoutingPolicy, TransferOutcome } from '../../../contracts';
import { sendTransfer } from './attempts';
import { SORRY_MESSAGE } from './describe';
import { tellCaller } from './failure';
import { awaitOutcome } from './outcome';
import { releaseAgent, reserve } from './routing';
import type { TransferState } from './state';

/**
 * The destination did not connect and Vapi says the caller is still with the assistant: the next qualified
 * agent, then the department line, then the general line, each announced to the caller. Bounded by the chain
 * routing produced, so it always ends; the caller is told when it runs out.
 */
export async function followFallbackChain(transfer: TransferState, policy: RoutingPolicy, controlUrl: string): Promise<TransferOutcome> {
  let current = transfer.decision!;
  const chain: FallbackTarget[] = [...current.fallbacks];
  let outcome: TransferOutcome = 'not-connected';
  while (outcome === 'not-connected') {
    const next = chain.shift();
    if (!next) break;
    if (current.agentId) await releaseAgent(transfer, current.agentId, ': no answer');
    if (next.agentId && !(await reserve(transfer, policy, [next.agentId], ' (fallback)'))) continue;
    transfer.fallingBack();
    current = fallenBackTo(current, next, chain);
    transfer.decide(current, transfer.customer!);
    transfer.reported = null;
    const delivery = await sendTransfer(transfer, `Fallback: transfer to ${next.label}`, {
      callId: transfer.request.callId,
      controlUrl,
      destination: next.destination,
      content: `Sorry, nobody picked up there. Let me try the ${next.agentId ? 'next colleague' : next.label} for you.`,
    });
    if (delivery === 'unknown') {
      const heard = await awaitOutcome(transfer);
      return heard === 'transfer-initiated' ? 'unknown' : heard;
    }
    outcome = await awaitOutcome(transfer, { askVapiWhenSilent: true });
    if (transfer.reported !== null) break;
  }
  if (outcome === 'not-connected') await tellCaller(transfer, SORRY_MESSAGE);
  return outcome;
}

function fallenBackTo(current: RoutingDecision, next: FallbackTarget, rest: FallbackTarget[]): RoutingDecision {
  const reasons = [...current.reasons, `${current.agentId ? `Agent ${current.agentId}` : 'That line'} did not connect: falling back to ${next.label}.`];
  return { ...current, agentId: next.agentId, destination: next.destination, mode: next.mode, reasons, decidedBy: 'fallback', fallbacks: rest };
}

