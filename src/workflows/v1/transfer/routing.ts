import { isCancellation, log } from '@temporalio/workflow';
import type { CustomerProfile, RoutingDecision, RoutingPolicy, ToneAssessment } from '../../../contracts';
import { CRM_UNREACHABLE_CUSTOMER, NEUTRAL_TONE } from '../../../contracts';
import { routingInput } from '../../../routing/input';
import { finalizeDecision, route } from '../../../routing/pipeline';
import { crm, reads, reservations } from './activities';
import { describeFailure } from './describe';
import type { TransferState } from './state';

/** A reservation outlives a transfer whose outcome never arrives by this much at most. */
export const RESERVATION_TTL_SECONDS = 15 * 60;

/**
 * Decides where the call goes: the four routing inputs at once, the pure pipeline over them, then a
 * reservation of the first ranked agent that still has room. The inputs are local activity results, so the
 * history keeps exactly what routing saw; a CRM outage routes the caller as anonymous, a tone or live-state
 * failure routes without them. Returns the routing file too: the fallback chain reserves from it.
 */
export async function routeAndReserve(transfer: TransferState): Promise<{ decision: RoutingDecision; policy: RoutingPolicy }> {
  const { request } = transfer;
  transfer.status.stage = 'routing';
  const [policy, tone, customer, agents] = await Promise.all([
    transfer.step('loadRoutingPolicy', () => reads.loadRoutingPolicy.executeWithOptions({ summary: 'Load the routing configuration' }, [])),
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
    transfer.step(
      'loadAgentStates',
      () => reads.loadAgentStates.executeWithOptions({ summary: "Read agents' live state" }, []),
      otherwise({}, "agents' live state not read; routing without it"),
    ),
  ] as const);
  transfer.stopIfCallEnded();
  const result = route(routingInput(request, { customer, tone, policy, agents, at: new Date().toISOString() }));
  // A caller waiting on a reservation that cannot be made is better put through to the department's line.
  let unreserved: string | undefined;
  const reserved =
    result.ranked.length > 0
      ? await reserve(transfer, policy, result.ranked).catch((error: unknown) => {
          if (isCancellation(error)) throw error;
          log.warn('agent reservation failed; transferring to the department line', { error: describeFailure(error) });
          unreserved = 'No agent could be reserved in time';
          return null;
        })
      : null;
  // An unanswered reservation may still have been made: free it, or the agent stays booked until the TTL.
  if (unreserved) await Promise.all(result.ranked.map((agentId) => releaseAgent(transfer, agentId, ' (its reservation went unanswered)')));
  const decision = finalizeDecision(result, reserved, unreserved);
  transfer.decide(decision, customer);
  return { decision, policy };
}

/** Reserves the first of `agentIds` that is available and has room, or none. */
export async function reserve(transfer: TransferState, policy: RoutingPolicy, agentIds: readonly string[], why = ''): Promise<string | null> {
  const capacity = new Map(policy.agents.map((agent) => [agent.id, agent.maxConcurrent]));
  const { agentId } = await transfer.step('reserveAgent', () =>
    reservations.reserveAgent.executeWithOptions({ summary: `Reserve agent ${agentIds[0]}${why}` }, [
      {
        transferId: transfer.transferId,
        candidates: agentIds.map((id) => ({ agentId: id, maxConcurrent: capacity.get(id) ?? 1 })),
        ttlSeconds: RESERVATION_TTL_SECONDS,
      },
    ]),
  );
  return agentId;
}

/** Frees the agent; a failure is logged, not thrown: the reservation's TTL frees it in the end. */
export async function releaseAgent(transfer: TransferState, agentId: string, why: string): Promise<void> {
  await transfer.step(
    'releaseAgent',
    () => reservations.releaseAgent.executeWithOptions({ summary: `Release agent ${agentId}${why}` }, [{ transferId: transfer.transferId, agentId }]),
    otherwise(undefined, 'could not release the agent; its reservation expires by itself'),
  );
}

/** A routing input that may fail without failing the transfer: use the default and say so in the log. */
function otherwise<T>(fallback: T, warning: string): (error: unknown) => T {
  return (error) => {
    log.warn(warning, { error: describeFailure(error) });
    return fallback;
  };
}
