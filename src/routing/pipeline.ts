import type { CallDestination, FallbackTarget, PolicyAgent, RosterAgent, RoutingDecision, RoutingInput, RoutingTrace, TransferPlanMode } from '../contracts';
import { customerStep } from './customer';
import { departmentStep } from './department';
import { knownAgentStep } from './known-agent';
import { languageStep } from './language';
import { loadBalancingStep } from './load-balancing';
import { officeStep } from './office';
import { officeHoursStep } from './office-hours';
import { qualifiedAgentsStep } from './qualified-agents';
import { relaxationStep } from './relaxation';
import type { RoutingState, RoutingStep } from './routing-state';
import { seniorityStep } from './seniority';
import { transferModeStep } from './transfer-mode';

/**
 * The default routing pipeline: the rules of routing-rules.md, in order. To add a rule, write a step in its
 * own file and put it here (see docs/adding-a-routing-step.md); a step that changes decisions of running
 * transfers goes behind `patched()` in the workflow.
 */
export const DEFAULT_PIPELINE: readonly RoutingStep[] = [
  departmentStep, // 1
  customerStep, // 2
  officeStep, // 3
  languageStep, // 4
  seniorityStep, // 5
  transferModeStep, // 6
  officeHoursStep, // 7
  qualifiedAgentsStep, // 8
  knownAgentStep, // 9
  loadBalancingStep, // 10
  relaxationStep, // 11
];

/** The decision before an agent is reserved: the choice, the order to try agents in, and the trace. */
export interface RouteResult {
  state: RoutingState;
  /** Agents in the order to reserve them: the choice first, then the rest of its pass. */
  ranked: string[];
}

export function initialState(input: RoutingInput): RoutingState {
  return {
    input,
    reasons: [],
    department: null,
    office: '',
    language: 'en',
    seniorRequired: false,
    mode: 'blind-transfer',
    candidateOffices: [],
    pass: 'none',
    requireSenior: false,
    requireLanguage: true,
    qualified: [],
    ranked: [],
    candidates: [],
    decided: null,
  };
}

/** Runs the pipeline until a step decides; pure, so dry runs and replays give the same answer. */
export function route(input: RoutingInput, pipeline: readonly RoutingStep[] = DEFAULT_PIPELINE): RouteResult {
  let state = initialState(input);
  for (const step of pipeline) {
    if (state.decided) break;
    state = step.apply(state);
  }
  if (!state.decided) throw new Error('routing pipeline ended without a decision');
  return { state, ranked: state.decided.agentId ? state.ranked : [] };
}

/** What the receiving agent hears in warm modes: who is calling, the department and the reason. */
export function agentMessage(state: RoutingState): string {
  const customer = state.input.customer;
  const who = customer.known && customer.displayName ? `${customer.displayName}, ${customer.tier} customer` : `a ${customer.tier} caller`;
  const reason = state.input.reason ? ` about: ${state.input.reason.slice(0, 200)}` : '';
  return `Incoming ${state.department?.id ?? 'general'} call from ${who}${reason}.`;
}

function withPlan(destination: CallDestination, mode: TransferPlanMode, message: string): CallDestination {
  const needsMessage = mode === 'warm-transfer-say-message' || mode === 'warm-transfer-wait-for-operator-to-speak-first-and-then-say-message';
  return { ...destination, transferPlan: { mode, ...(needsMessage ? { message } : {}) } };
}

/** Where an agent's calls go: only the whole routing file knows (the floor's roster does not carry it). */
export function agentDestination(policy: { agents: readonly RosterAgent[] }, agentId: string): CallDestination {
  const agent = policy.agents.find((candidate) => candidate.id === agentId) as Partial<PolicyAgent> | undefined;
  if (!agent?.destination) throw new Error(`no destination for agent ${agentId} in this routing input`);
  return agent.destination;
}

/**
 * The final decision once the reservation has answered: `reservedAgentId` may differ from the pipeline's
 * choice when another call took that agent in the meantime (the next in `ranked` was reserved), or be
 * null when no agent could be reserved, in which case the department line takes the call. `unreserved` says
 * why when no reservation could be made at all (rather than every agent being taken).
 */
export function finalizeDecision(result: RouteResult, reservedAgentId: string | null, unreserved?: string): RoutingDecision {
  const { state } = result;
  const decided = state.decided!;
  const reasons = [...state.reasons];
  const message = agentMessage(state);
  const policy = state.input.policy;
  let agentId = decided.agentId;
  let destination: CallDestination = decided.agentId === null ? decided.destination : agentDestination(policy, decided.agentId);
  let decidedBy = decided.decidedBy;
  if (decided.agentId && reservedAgentId !== decided.agentId) {
    if (reservedAgentId) {
      reasons.push(`${decided.agentId} was taken by another call a moment ago; reserved ${reservedAgentId}, next in line.`);
      agentId = reservedAgentId;
      destination = agentDestination(policy, reservedAgentId);
    } else {
      reasons.push(unreserved ? `${unreserved}: ${state.department!.id} line.` : `Every qualified agent was taken by other calls a moment ago: ${state.department!.id} line.`);
      agentId = null;
      destination = state.department!.line;
      decidedBy = 'reservation';
    }
  }
  const mode = state.mode;
  const fallbacks: FallbackTarget[] = [];
  if (agentId) {
    const nextAgent = result.ranked.find((id) => id !== agentId);
    if (nextAgent) {
      fallbacks.push({ agentId: nextAgent, label: `agent ${nextAgent}`, destination: withPlan(agentDestination(policy, nextAgent), mode, message), mode });
    }
    fallbacks.push({ agentId: null, label: `${state.department!.id} line`, destination: withPlan(state.department!.line, mode, message), mode });
  }
  // Rule 1's general line and rule 7's after-hours lines end routing; anything else may still fall to general.
  const endsHere = decided.decidedBy === 'department' || decided.decidedBy === 'office-hours';
  if (!endsHere) {
    fallbacks.push({ agentId: null, label: 'general line', destination: withPlan(policy.lines.general, 'blind-transfer', message), mode: 'blind-transfer' });
  }
  const trace: RoutingTrace = {
    at: state.input.at,
    department: state.department?.id ?? null,
    office: state.office,
    language: state.language,
    seniorRequired: state.seniorRequired,
    candidateOffices: state.candidateOffices,
    relaxation: state.pass,
    candidates: state.candidates,
    decidedBy,
    reasons,
    choice: { agentId: decided.agentId, destination: withPlan(decided.agentId === null ? decided.destination : agentDestination(policy, decided.agentId), mode, message) },
    ranked: result.ranked,
  };
  return {
    department: state.department?.id ?? null,
    agentId,
    destination: withPlan(destination, mode, message),
    mode,
    reasons,
    decidedBy,
    agentMessage: message,
    trace,
    fallbacks,
  };
}
