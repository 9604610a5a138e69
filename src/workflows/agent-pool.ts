import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  agentPoolQuery,
  releaseAgentUpdate,
  reserveAgentUpdate,
  setAgentStatusUpdate,
} from '../contracts/agent-pool';
import type { AgentPoolAgent, AgentPoolState, ReserveAgentRequest } from '../contracts/agent-pool';

/** Keeps each run's history short; the state moves to the next run whole. */
const MAX_HISTORY_EVENTS = 2_000;

/**
 * Agents' live state: available or offline, the transfers each one is reserved for, and when each was last
 * given a call. Reservations are Updates, handled one at a time by this single workflow, so however many
 * transfers ask at once, no agent is booked beyond `maxConcurrent`. Each reservation expires after its TTL
 * should the transfer's outcome never arrive.
 */
export async function agentPool(initial?: AgentPoolState): Promise<void> {
  const state: AgentPoolState = initial ?? { agents: {} };
  let changed = false;

  const agent = (agentId: string): AgentPoolAgent =>
    (state.agents[agentId] ??= { status: 'available', lastAssignedAt: null, reservations: [] });

  function expire(): void {
    const now = Date.now();
    for (const entry of Object.values(state.agents)) {
      entry.reservations = entry.reservations.filter((reservation) => Date.parse(reservation.expiresAt) > now);
    }
  }

  setHandler(agentPoolQuery, () => state);

  setHandler(
    reserveAgentUpdate,
    (request: ReserveAgentRequest) => {
      expire();
      changed = true;
      for (const [agentId, entry] of Object.entries(state.agents)) {
        if (entry.reservations.some((reservation) => reservation.transferId === request.transferId)) return { agentId };
      }
      for (const candidate of request.candidates) {
        const entry = agent(candidate.agentId);
        if (entry.status !== 'available' || entry.reservations.length >= candidate.maxConcurrent) continue;
        const now = new Date();
        entry.reservations.push({
          transferId: request.transferId,
          reservedAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + request.ttlSeconds * 1000).toISOString(),
        });
        entry.lastAssignedAt = now.toISOString();
        return { agentId: candidate.agentId };
      }
      return { agentId: null };
    },
    {
      // Rejected before it reaches history: a malformed request never changes the pool.
      validator: (request: ReserveAgentRequest) => {
        if (typeof request?.transferId !== 'string' || request.transferId.length === 0) throw new Error('transferId is required');
        if (!Array.isArray(request.candidates) || request.candidates.length > 200) throw new Error('candidates must be a list of at most 200');
        for (const candidate of request.candidates) {
          if (typeof candidate?.agentId !== 'string' || !Number.isInteger(candidate.maxConcurrent) || candidate.maxConcurrent < 1) {
            throw new Error('each candidate needs an agentId and a maxConcurrent of at least 1');
          }
        }
        if (!Number.isFinite(request.ttlSeconds) || request.ttlSeconds < 1 || request.ttlSeconds > 86_400) throw new Error('ttlSeconds must be 1..86400');
      },
    },
  );

  setHandler(releaseAgentUpdate, ({ transferId }) => {
    const released: string[] = [];
    for (const [agentId, entry] of Object.entries(state.agents)) {
      const before = entry.reservations.length;
      entry.reservations = entry.reservations.filter((reservation) => reservation.transferId !== transferId);
      if (entry.reservations.length !== before) released.push(agentId);
    }
    changed = true;
    return { released };
  });

  setHandler(
    setAgentStatusUpdate,
    ({ agentId, status }) => {
      const entry = agent(agentId);
      entry.status = status;
      changed = true;
      return { status: entry.status, activeTransfers: entry.reservations.length, lastAssignedAt: entry.lastAssignedAt };
    },
    {
      validator: ({ agentId, status }) => {
        if (typeof agentId !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(agentId)) throw new Error('agentId is invalid');
        if (status !== 'available' && status !== 'offline') throw new Error('status must be "available" or "offline"');
      },
    },
  );

  for (;;) {
    const expiries = Object.values(state.agents).flatMap((entry) => entry.reservations.map((r) => Date.parse(r.expiresAt)));
    const nextExpiry = expiries.length > 0 ? Math.min(...expiries) : undefined;
    const wake = () => changed || workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS;
    if (nextExpiry === undefined) await condition(wake);
    else await condition(wake, Math.max(1, nextExpiry - Date.now()));
    changed = false;
    expire();
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof agentPool>(state);
    }
  }
}
