import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { CallbackInput, CallbackResult } from '../contracts';
import type { Delivered } from './callback/deliver';
import { putThrough } from './callback/deliver';
import { CALLBACK_WAIT_LIMIT_MS, backInLine, officeClosedUntil, waitForAgent } from './callback/line';
import { settleCallback } from './callback/outcome';
import { awaitAnswer, placeCall } from './callback/place';
import { CallbackState } from './callback/state';

/**
 * A callback promised to a caller who would rather not wait on the line: it keeps their place, and when the
 * floor reserves an agent for it (not before the time the caller asked for), it places the call back through
 * Vapi's API from the same assistant, waits for the caller to answer, and puts them through to the agent.
 * Outside office hours it waits for the next opening; a call nobody answers is tried again after the line's
 * spacing, `attempts` times in all, then the callback is missed. Runs on the transfers' task queue.
 *
 * Guarantees: one call per attempt, whatever fails or restarts (the placing activity asks Vapi before it
 * places again); the transfer to the agent is never sent again without Vapi's word; the agent is let go
 * unless the caller is (or may be) with them; no phone number in search attributes, details or logs.
 */
export async function callback(input: CallbackInput): Promise<CallbackResult> {
  const state = new CallbackState(input);
  state.listen();
  state.promised();
  try {
    for (let attempt = 1; ; ) {
      const agent = await waitForAgent(state);
      if (!agent) return await settleCallback(state, 'missed', `no agent was free within ${CALLBACK_WAIT_LIMIT_MS / 3_600_000} h`);
      const closed = await officeClosedUntil(state);
      if (closed !== null) {
        if (closed === Number.POSITIVE_INFINITY) return await settleCallback(state, 'failed', 'no office of the caller opens within 14 days');
        await backInLine(state, agent.agentId, closed, ': every office is closed; back in line until the next opening');
        continue;
      }
      const reached = await callAndPutThrough(state, attempt, agent);
      if (typeof reached === 'string') return await settleCallback(state, reached, `${PUT_THROUGH[reached]} agent ${agent.agentId} on attempt ${attempt}`);
      if ('failed' in reached) return await settleCallback(state, 'failed', reached.failed);
      if (attempt >= input.attempts) return await settleCallback(state, 'missed', `${reached.missed}, attempt ${attempt} of ${input.attempts}`);
      const spacing = input.spacingSeconds * 1000;
      const next = (await officeClosedUntil(state, spacing)) ?? Date.now() + spacing;
      if (next === Number.POSITIVE_INFINITY) return await settleCallback(state, 'failed', 'no office of the caller opens within 14 days');
      await backInLine(state, agent.agentId, next, `: ${reached.missed}; trying again`);
      attempt += 1;
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    return await CancellationScope.nonCancellable(() => settleCallback(state, 'cancelled', 'cancelled by an operator'));
  }
}

/** How a call back that reached (or may have reached) the agent is described. */
const PUT_THROUGH: Record<Extract<Delivered, string>, string> = {
  transferred: 'put through to',
  'transfer-initiated': 'Vapi took the transfer, and said nothing more, to',
  unknown: 'the transfer may or may not have reached',
};

/** One attempt: the call placed, answered, and put through to the agent; or how it fell short. */
async function callAndPutThrough(state: CallbackState, attempt: number, agent: Parameters<typeof putThrough>[2]): Promise<Delivered> {
  const call = await placeCall(state, attempt, agent.agentId);
  if (!('callId' in call)) return call;
  const answered = await awaitAnswer(state, call);
  return answered === 'answered' ? await putThrough(state, call, agent) : answered;
}
