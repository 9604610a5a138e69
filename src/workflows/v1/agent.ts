import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { AgentState, ReserveAgentRequest } from '../../contracts';
import { agentStateQuery, newAgentState, releaseAgentUpdate, reserveAgentUpdate, setAgentStatusUpdate } from '../../contracts';
import type { AgentCommand } from './agent/reservations';
import { reduceAgent, withoutExpired } from './agent/reservations';

/** Keeps each run's history short enough to replay in a moment; the state moves to the next run whole. */
const MAX_HISTORY_EVENTS = 1_000;

/**
 * One agent: available or offline, the transfers reserved on them, when they last got one. Every change is
 * an Update, applied one at a time by this workflow, so however many transfers reserve at once the agent is
 * never booked beyond `maxConcurrent`. Reservations expire after their TTL should an outcome never arrive:
 * every update drops expired ones first, and readers count only live ones, so no timer is needed.
 */
export async function agent(initial?: AgentState): Promise<void> {
  let state = initial ?? newAgentState();
  const apply = (command: AgentCommand) => {
    const next = reduceAgent(state, command, Date.now());
    state = next.state;
    return next.applied;
  };

  setHandler(agentStateQuery, () => state);
  setHandler(reserveAgentUpdate, (request) => ({ reserved: apply({ type: 'reserve', ...request }), state }), {
    // Refused before it reaches history: a malformed request never changes the agent.
    validator: (request: ReserveAgentRequest) => {
      if (typeof request?.transferId !== 'string' || request.transferId.length === 0) throw new Error('transferId is required');
      if (!Number.isInteger(request.maxConcurrent) || request.maxConcurrent < 1) throw new Error('maxConcurrent must be an integer of at least 1');
      if (!Number.isFinite(request.ttlSeconds) || request.ttlSeconds < 1 || request.ttlSeconds > 86_400) throw new Error('ttlSeconds must be 1..86400');
    },
  });
  setHandler(releaseAgentUpdate, ({ transferId }) => ({ released: apply({ type: 'release', transferId }), state }));
  setHandler(
    setAgentStatusUpdate,
    ({ status }) => {
      apply({ type: 'set-status', status });
      return state;
    },
    {
      validator: ({ status }) => {
        if (status !== 'available' && status !== 'offline') throw new Error('status must be "available" or "offline"');
      },
    },
  );

  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS);
  await condition(allHandlersFinished);
  await continueAsNew<typeof agent>(withoutExpired(state, Date.now()));
}
