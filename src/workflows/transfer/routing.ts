import { isCancellation, log } from '@temporalio/workflow';
import type { AgentCriteria, CallDestination, CustomerProfile, FloorReservation, ReserveAgentInput, RoutingDecision, ToneAssessment } from '../../contracts';
import { CRM_UNREACHABLE_CUSTOMER, NEUTRAL_TONE, RESERVATION_TTL_SECONDS } from '../../contracts';
import { routingInput } from '../../routing/input';
import { priorityClass } from '../../routing/line-rules';
import { criteriaOf, decideWithFloor, routeRules } from '../../routing/pipeline';
import type { RoutingState } from '../../routing/routing-state';
import type { Compensations } from '../saga';
import { afterwards, crm, floor, reads } from './activities';
import { describeFailure } from './describe';
import { UNDO, UNDO_PREFIX } from './undo';
import type { TransferState } from './state';

export interface Routed {
  decision: RoutingDecision;
  /** Rules 1-7's state: the fallback chain asks the floor again with the same criteria. */
  rules: RoutingState;
}

type FloorAnswer = { reservation: FloorReservation; destinations: Record<string, CallDestination> } | { unreserved: string };

/**
 * Decides where the call goes: the routing rules, the caller's tone and their CRM record at once; rules 1-7 in
 * the workflow (a line, or what agent the call needs); rules 8-11 on the floor, which reserves the agent it
 * chooses in the same step. The inputs are local activity results, so the history keeps what routing saw —
 * the rules (not the roster: a transfer's history stays small at any number of agents), the offices' clocks,
 * and the floor's answer with its top candidates. A CRM outage routes the caller as anonymous.
 */
export async function routeTransfer(transfer: TransferState, saga: Compensations): Promise<Routed> {
  const { request } = transfer;
  transfer.status.stage = 'routing';
  const [snapshot, tone, customer] = await Promise.all([
    transfer.step('loadRoutingRules', () => reads.loadRoutingRules.executeWithOptions({ summary: 'Load the routing rules' }, [request.routeAt ? { routeAt: request.routeAt } : {}])),
    transfer.step(
      'assessTone',
      () => reads.assessTone.executeWithOptions({ summary: "Judge the caller's tone" }, [{ words: request.callerWords }]),
      otherwise<ToneAssessment>(NEUTRAL_TONE, 'tone not judged; routing as neutral'),
    ),
    transfer.step(
      'enrichCustomer',
      () => crm.enrichCustomer.executeWithOptions({ summary: 'Look up the caller in the CRM' }, [{ customerId: request.customerId, callerNumber: request.callerNumber }]),
      otherwise<CustomerProfile>(CRM_UNREACHABLE_CUSTOMER, 'CRM lookup failed; routing with defaults'),
    ),
  ] as const);
  transfer.stopIfCallEnded();
  const rules = routeRules(routingInput(request, { customer, tone, policy: { ...snapshot.rules, agents: [] }, agents: {}, at: snapshot.at, clocks: snapshot.clocks }));
  const criteria = criteriaOf(rules);
  let decision: RoutingDecision;
  if (criteria) {
    // Registered before the reservation is asked for: whatever the floor gives this transfer, now or in the
    // fallback chain, is freed if the transfer is undone. Release is by transfer, so it is idempotent.
    saga.add(UNDO.releaseAgent, () => releaseAgent(transfer, undefined, '', { undo: true }));
    decision = decideWithFloor(rules, await reserve(transfer, criteria, '', lineFor(transfer, rules)));
  } else {
    decision = decideWithFloor(rules, { unreserved: 'rules decided a line' });
  }
  transfer.decide(decision, customer, snapshot.version);
  return { decision, rules };
}

/**
 * Asks the floor for an agent by rules 8-11. A reservation that goes unanswered may still have been made: it
 * is released at once (not left to its TTL), and the caller goes to the department's line.
 */
export async function reserve(transfer: TransferState, criteria: AgentCriteria, why = '', line?: ReserveAgentInput['line']): Promise<FloorAnswer> {
  try {
    const result = await transfer.step('reserveAgent', () =>
      floor.reserveAgent.executeWithOptions({ summary: `Reserve an agent in ${criteria.department}${why}` }, [
        { transferId: transfer.transferId, criteria, ttlSeconds: RESERVATION_TTL_SECONDS, ...(line ? { line } : {}) },
      ]),
    );
    if (!result.reservation) throw new Error('the floor gave no reservation');
    return { reservation: result.reservation, destinations: result.destinations ?? {} };
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('agent reservation failed; transferring to the department line', { error: describeFailure(error) });
    transfer.reservationFailed();
    await releaseAgent(transfer, undefined, ' (its reservation went unanswered)');
    return { unreserved: 'No agent could be reserved in time' };
  }
}

/**
 * Whether the caller may wait in the department's line when every qualified agent is busy, and at what
 * priority: only a transfer Switchboard delivers itself (Vapi waits for a destination request's answer).
 * `front`: back after an agent did not pick up, keeping the place they had.
 */
export function lineFor(transfer: TransferState, rules: RoutingState, front = false): ReserveAgentInput['line'] {
  if (transfer.request.mode !== 'control-url') return undefined;
  const priority = priorityClass(rules.input.customer.tier, transfer.request.urgency);
  return front ? { priority, front, joinedAt: transfer.firstJoinedAt ?? Date.now() } : { priority };
}

/** Frees what the transfer holds (on `agentId` only, when given); a failure is logged, not thrown: the TTL frees it in the end. */
export async function releaseAgent(transfer: TransferState, agentId: string | undefined, why: string, options: { undo?: boolean } = {}): Promise<void> {
  await transfer.step(
    'releaseAgent',
    () =>
      afterwards.releaseAgent.executeWithOptions({ summary: `${options.undo ? UNDO_PREFIX : ''}Release ${agentId ? `agent ${agentId}` : "the transfer's agent"}${why}` }, [
        { transferId: transfer.transferId, ...(agentId ? { agentId } : {}) },
      ]),
    otherwise(undefined, 'could not release the agent; its reservation expires by itself'),
  );
}

/** The call reached the agent (or may have): they stay busy until marked ready or the after-call time passes. */
export async function holdAgent(transfer: TransferState, agentId: string, why: string): Promise<void> {
  await transfer.step(
    'agentConnected',
    () =>
      afterwards.agentConnected.executeWithOptions({ summary: `Agent ${agentId} is on the call${why}` }, [
        { transferId: transfer.transferId, agentId, department: transfer.decision?.department ?? null },
      ]),
    otherwise(undefined, 'could not tell the floor the call connected; the reservation expires by itself'),
  );
}

/** A routing input that may fail without failing the transfer: use the default and say so in the log. */
export function otherwise<T>(fallback: T, warning: string): (error: unknown) => T {
  return (error) => {
    log.warn(warning, { error: describeFailure(error) });
    return fallback;
  };
}
