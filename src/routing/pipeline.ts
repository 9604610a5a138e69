import type {
  AgentCriteria,
  CallDestination,
  CandidateTrace,
  FallbackTarget,
  FloorReservation,
  LinePlace,
  PolicyAgent,
  Relaxation,
  RosterAgent,
  RoutingDecision,
  RoutingInput,
  RoutingTrace,
  TransferPlanMode,
} from '../contracts';
import { customerStep } from './customer';
import { departmentStep } from './department';
import { knownAgentStep } from './known-agent';
import { waitsInLineLabel } from './labels';
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

/** A destination with the transfer plan of `mode` (and the agent's message where the mode speaks one). */
export function withPlan(destination: CallDestination, mode: TransferPlanMode, message: string): CallDestination {
  const needsMessage = mode === 'warm-transfer-say-message' || mode === 'warm-transfer-wait-for-operator-to-speak-first-and-then-say-message';
  return { ...destination, transferPlan: { mode, ...(needsMessage ? { message } : {}) } };
}

/** Where an agent's calls go: only the whole routing file knows (the floor's roster does not carry it). */
export function agentDestination(policy: { agents: readonly RosterAgent[] }, agentId: string): CallDestination {
  const agent = policy.agents.find((candidate) => candidate.id === agentId) as Partial<PolicyAgent> | undefined;
  if (!agent?.destination) throw new Error(`no destination for agent ${agentId} in this routing input`);
  return agent.destination;
}

/** What a decision is made of, however it was reached (one pipeline run, or rules 1-7 and the floor). */
interface Chosen {
  agentId: string | null;
  /** Where the call goes, in words. */
  label: string;
  destination: CallDestination;
  decidedBy: string;
  reasons: string[];
  /** What the rules chose before any reservation (the trace's `choice`). */
  choice: { agentId: string | null; destination: CallDestination };
  candidates: CandidateTrace[];
  ranked: string[];
  pass: Relaxation;
  /** The next agent to try if this one does not connect, and where they are reached. */
  next: { agentId: string; destination: CallDestination } | null;
  /** The caller waits in line from this place. */
  queued?: LinePlace;
}

function assembleDecision(state: RoutingState, chosen: Chosen): RoutingDecision {
  const message = agentMessage(state);
  const policy = state.input.policy;
  const mode = state.mode;
  const fallbacks: FallbackTarget[] = [];
  if (chosen.agentId) {
    if (chosen.next) fallbacks.push({ agentId: chosen.next.agentId, label: `agent ${chosen.next.agentId}`, destination: withPlan(chosen.next.destination, mode, message), mode });
    fallbacks.push({ agentId: null, label: `${state.department!.id} line`, destination: withPlan(state.department!.line, mode, message), mode });
  }
  // Rule 1's general line and rule 7's after-hours lines end routing; anything else may still fall to general.
  const endsHere = state.decided?.decidedBy === 'department' || state.decided?.decidedBy === 'office-hours';
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
    relaxation: chosen.pass,
    candidates: chosen.candidates,
    decidedBy: chosen.decidedBy,
    reasons: chosen.reasons,
    choice: { agentId: chosen.choice.agentId, destination: withPlan(chosen.choice.destination, mode, message) },
    ranked: chosen.ranked,
  };
  return {
    department: state.department?.id ?? null,
    agentId: chosen.agentId,
    destination: withPlan(chosen.destination, mode, message),
    label: chosen.label,
    mode,
    reasons: chosen.reasons,
    decidedBy: chosen.decidedBy,
    agentMessage: message,
    trace,
    fallbacks,
    ...(chosen.queued ? { queued: chosen.queued } : {}),
  };
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
  const policy = state.input.policy;
  const choice = { agentId: decided.agentId, destination: decided.agentId === null ? decided.destination : agentDestination(policy, decided.agentId) };
  let agentId = decided.agentId;
  let destination: CallDestination = choice.destination;
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
  const nextAgent = agentId ? result.ranked.find((id) => id !== agentId) : undefined;
  return assembleDecision(state, {
    agentId,
    label: agentId ? `agent ${agentId}` : decidedBy === 'reservation' ? `${state.department!.id} line` : decided.label,
    destination,
    decidedBy,
    reasons,
    choice,
    candidates: state.candidates,
    ranked: result.ranked,
    pass: state.pass,
    next: nextAgent ? { agentId: nextAgent, destination: agentDestination(policy, nextAgent) } : null,
  });
}

/** Rules 1-7: department, customer, office, language, seniority, mode and office hours. */
export const RULES_PIPELINE: readonly RoutingStep[] = DEFAULT_PIPELINE.slice(0, 7);

/**
 * Rules 1-7 alone: either they decide (the general line, an after-hours line) or they say what agent the call
 * needs ({@link criteriaOf}), which the floor chooses by rules 8-11 against its own state.
 */
export function routeRules(input: RoutingInput): RoutingState {
  let state = initialState(input);
  for (const step of RULES_PIPELINE) {
    if (state.decided) break;
    state = step.apply(state);
  }
  return state;
}

/** What the floor needs to choose an agent, or null when rules 1-7 decided a line. */
export function criteriaOf(state: RoutingState): AgentCriteria | null {
  if (state.decided || !state.department) return null;
  return {
    department: state.department.id,
    candidateOffices: state.candidateOffices,
    language: state.language,
    seniorRequired: state.seniorRequired,
    knownAgent: state.input.customer.lastAgentId,
    exclude: state.input.exclude ?? [],
  };
}

/**
 * The decision from rules 1-7 and the floor's answer: a line rules 1-7 chose; the agent the floor reserved;
 * the department's line when no agent was free (keeping the mode); or, when the floor could not be asked
 * (`unreserved` says why), the department's line too.
 */
export function decideWithFloor(state: RoutingState, answer: { reservation: FloorReservation; destinations: Record<string, CallDestination> } | { unreserved: string }): RoutingDecision {
  const base = { candidates: [] as CandidateTrace[], ranked: [] as string[], next: null };
  if (state.decided) {
    const decided = state.decided;
    if (decided.agentId !== null) throw new Error('rules 1-7 never choose an agent');
    const choice = { agentId: null, destination: decided.destination };
    return assembleDecision(state, { ...base, ...choice, choice, label: decided.label, decidedBy: decided.decidedBy, reasons: state.reasons, pass: state.pass });
  }
  const line = state.department!.line;
  if ('unreserved' in answer) {
    const reasons = [...state.reasons, `${answer.unreserved}: ${state.department!.id} line.`];
    return assembleDecision(state, { ...base, agentId: null, label: `${state.department!.id} line`, destination: line, choice: { agentId: null, destination: line }, decidedBy: 'reservation', reasons, pass: 'line' });
  }
  const { reservation, destinations } = answer;
  const reasons = [...state.reasons, ...reservation.reasons];
  const found = { candidates: reservation.candidates, pass: reservation.pass };
  if (reservation.queued) {
    // "Waits in line" is a decision of its own: `destination` is where the caller goes should they wait too long.
    return assembleDecision(state, { ...base, ...found, agentId: null, label: waitsInLineLabel(state.department!.id), destination: line, choice: { agentId: null, destination: line }, decidedBy: 'line', reasons, queued: reservation.queued });
  }
  if (!reservation.agentId) {
    if (!reservation.lineFull) reasons.push(`No agent available: ${state.department!.id} line, keeping ${state.mode}.`);
    else reasons.push(`${state.department!.id} line, keeping ${state.mode}.`);
    return assembleDecision(state, { ...base, ...found, agentId: null, label: `${state.department!.id} line`, destination: line, choice: { agentId: null, destination: line }, decidedBy: reservation.lineFull ? 'line' : 'relaxation', reasons });
  }
  const destination = destinations[reservation.agentId];
  if (!destination) throw new Error(`no destination for agent ${reservation.agentId} in this routing file`);
  const nextDestination = reservation.next ? destinations[reservation.next] : undefined;
  return assembleDecision(state, {
    ...found,
    agentId: reservation.agentId,
    label: `agent ${reservation.agentId}`,
    destination,
    choice: { agentId: reservation.agentId, destination },
    decidedBy: reservation.decidedBy,
    reasons,
    ranked: [reservation.agentId, ...(reservation.next ? [reservation.next] : [])],
    next: reservation.next && nextDestination ? { agentId: reservation.next, destination: nextDestination } : null,
  });
}

/**
 * The decision once the floor gave a waiting caller an agent: the waiting decision's reasons and candidates,
 * then the agent, decided by the line. Should the agent not pick up, the caller goes back to the front of the
 * line (or to the next free agent), then to the department's line.
 */
export function servedFromLine(state: RoutingState, waiting: RoutingDecision, agentId: string, destination: CallDestination, waitedSeconds: number): RoutingDecision {
  const reasons = [...waiting.reasons, `Agent ${agentId} free after ${waitedSeconds} s in ${state.department!.id}'s line.`];
  return assembleDecision(state, {
    agentId,
    label: `agent ${agentId}`,
    destination,
    choice: { agentId, destination },
    decidedBy: 'line',
    reasons,
    candidates: waiting.trace.candidates,
    ranked: [agentId],
    pass: waiting.trace.relaxation,
    next: null,
  });
}

/**
 * The caller waited too long (or could not wait): the rules as they stand now decide. A line rules 1-7 choose
 * now (after hours: the after-hours line) wins; otherwise the department's line, keeping the mode.
 */
export function overflowFromLine(state: RoutingState, why: string): RoutingDecision {
  const base = { candidates: [] as CandidateTrace[], ranked: [] as string[], next: null, agentId: null, decidedBy: 'line' };
  if (state.decided) {
    const decided = state.decided;
    if (decided.agentId !== null) throw new Error('rules 1-7 never choose an agent');
    const choice = { agentId: null, destination: decided.destination };
    return assembleDecision(state, { ...base, choice, destination: decided.destination, label: decided.label, reasons: [...state.reasons, `${why}: ${decided.label}.`], pass: state.pass });
  }
  const line = state.department!.line;
  const label = `${state.department!.id} line`;
  return assembleDecision(state, { ...base, choice: { agentId: null, destination: line }, destination: line, label, reasons: [...state.reasons, `${why}: ${label}, keeping ${state.mode}.`], pass: 'line' });
}
