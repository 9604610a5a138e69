import { condition, isCancellation, log } from '@temporalio/workflow';
import type { CallDestination } from '../../contracts';
import { withPlan } from '../../routing/pipeline';
import { afterwards, reads } from '../transfer/activities';
import { describeFailure } from '../transfer/describe';
import type { CallbackState } from './state';

/** A callback nobody could take within this long (no agent free, or every office closed) is given up as missed. */
export const CALLBACK_WAIT_LIMIT_MS = 24 * 3_600_000;

/**
 * Waits for the floor to reserve an agent for this callback (its place in line was taken over from the
 * transfer that promised it; the floor keeps `notBefore`). Null when none came within the wait limit: the
 * place is then given up. An agent who has left the routing file meanwhile is let go, and the place taken back.
 */
export async function waitForAgent(state: CallbackState): Promise<{ agentId: string; destination: CallDestination } | null> {
  for (;;) {
    state.agentReserved(null);
    state.stage('callback-waiting', `${state.label}: waiting in line for an agent${state.status.attempt > 0 ? ` (attempt ${state.status.attempt + 1} of ${state.input.attempts} next)` : ''}`);
    const reserved = await condition(() => state.assigned.length > 0, CALLBACK_WAIT_LIMIT_MS, { summary: `Wait in ${state.input.department}'s line for an agent` });
    if (!reserved) {
      await release(state, undefined, ': no agent within the wait limit, leaving the line');
      return null;
    }
    const { agentId } = state.assigned.shift()!;
    const destination = await reads.agentDestination
      .executeWithOptions({ summary: `Where agent ${agentId} is reached` }, [{ agentId }])
      .catch((error: unknown) => {
        if (isCancellation(error)) throw error;
        log.warn('agent destination not read', { error: describeFailure(error) });
        return null;
      });
    if (destination) {
      state.agentReserved(agentId);
      const { mode, agentMessage } = state.input.decision;
      return { agentId, destination: withPlan(destination, mode, agentMessage) };
    }
    await release(state, agentId, ': not in the routing file any more');
    await joinLine(state, undefined);
  }
}

/**
 * When the call back may be placed, by office hours at `afterMs` from now: null when an office of the caller's
 * is open then, else when one next opens (epoch ms; Infinity: none within 14 days). Read as the simulator's
 * as-of time in its demo (`asOfOffsetMs`). Hours that cannot be read do not hold the call back: the floor
 * reserved a logged-in agent for it.
 */
export async function officeClosedUntil(state: CallbackState, afterMs = 0): Promise<number | null> {
  const at = state.officeNow() + afterMs;
  const window = await afterwards.officeWindow
    .executeWithOptions({ summary: 'Is an office open for the call back?' }, [{ offices: state.input.criteria.candidateOffices, at: new Date(at).toISOString() }])
    .catch((error: unknown) => {
      if (isCancellation(error)) throw error;
      log.warn('office hours not read for a callback; placing it', { error: describeFailure(error) });
      return { open: true, nextOpenAt: null };
    });
  if (window.open) return null;
  return window.nextOpenAt ? Date.parse(window.nextOpenAt) - (state.input.asOfOffsetMs ?? 0) : Number.POSITIVE_INFINITY;
}

/**
 * Lets the agent go and takes the callback's place in line again, keeping when the caller first joined, not
 * offered an agent before `notBefore` (epoch ms).
 */
export async function backInLine(state: CallbackState, agentId: string, notBefore: number, why: string): Promise<void> {
  await release(state, agentId, why);
  await joinLine(state, notBefore);
}

async function joinLine(state: CallbackState, notBefore: number | undefined): Promise<void> {
  const { input } = state;
  const when = notBefore !== undefined && notBefore > Date.now() ? { notBefore } : {};
  await afterwards.joinLine.executeWithOptions({ summary: `Back in ${input.department}'s line${'notBefore' in when ? ` from ${new Date(notBefore!).toISOString()}` : ''}` }, [
    { transferId: input.callbackId, criteria: input.criteria, basePass: input.basePass, priority: input.priority, joinedAt: input.joinedAt, front: false, callback: true, ...when },
  ]);
}

/** Frees the agent (or, without one, whatever the callback holds and its place in line); idempotent. */
export async function release(state: CallbackState, agentId: string | undefined, why: string): Promise<void> {
  await afterwards.releaseAgent
    .executeWithOptions({ summary: `Release ${agentId ? `agent ${agentId}` : "the callback's place"}${why}` }, [{ transferId: state.callbackId, ...(agentId ? { agentId } : {}) }])
    .catch((error: unknown) => {
      if (isCancellation(error)) throw error;
      log.warn('could not release the agent; the reservation expires by itself', { error: describeFailure(error) });
    });
}

/** The caller is (or may be) with the agent: busy until marked ready or the department's after-call time passes. */
export async function holdAgent(state: CallbackState, agentId: string, why: string): Promise<void> {
  await afterwards.agentConnected
    .executeWithOptions({ summary: `Agent ${agentId} is on the call back${why}` }, [{ transferId: state.callbackId, agentId, department: state.input.department }])
    .catch((error: unknown) => {
      if (isCancellation(error)) throw error;
      log.warn('could not tell the floor the call connected; the reservation expires by itself', { error: describeFailure(error) });
    });
}
