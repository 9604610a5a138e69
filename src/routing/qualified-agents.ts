import type { AgentLiveState, CandidateTrace, RosterAgent } from '../contracts';
import type { RoutingState, RoutingStep } from './routing-state';
import { withReason } from './routing-state';

/**
 * Rule 8. An agent qualifies when available, in a candidate office, skilled in the department, speaking the
 * language (unless relaxed), senior when required (unless relaxed), and below `maxConcurrent`. Every
 * agent's verdict is traced with the reasons it was dropped.
 */
export function qualify(state: RoutingState): RoutingState {
  const department = state.department?.id;
  const requirements = requirementsOf(state);
  const qualified: string[] = [];
  const traces: CandidateTrace[] = [];
  for (const agent of state.input.policy.agents) {
    if (department && !agent.skills.includes(department)) continue; // not a candidate at all: no trace noise
    const live = state.input.agents[agent.id] ?? { status: 'available', activeTransfers: 0, lastAssignedAt: null };
    const why = blockersOf(agent, live, requirements).map((blocker) => describeBlocker(blocker, agent, live, requirements));
    if (why.length === 0) qualified.push(agent.id);
    traces.push({ agentId: agent.id, office: agent.office, pass: state.pass, verdict: why.length === 0 ? 'qualified' : 'dropped', why });
  }
  const summary = qualified.length > 0 ? `qualified: ${listAgents(qualified)}` : 'no agent qualifies';
  return withReason(state, `Agents (${describePass(state)}): ${summary}.`, { qualified, candidates: [...state.candidates, ...traces] });
}

/** What rule 8 asks of an agent in the current pass. */
export interface Requirements {
  excluded: ReadonlySet<string>;
  candidateOffices: readonly string[];
  language: string;
  requireLanguage: boolean;
  requireSenior: boolean;
}

export function requirementsOf(state: Pick<RoutingState, 'input' | 'candidateOffices' | 'language' | 'requireLanguage' | 'requireSenior'>): Requirements {
  return { excluded: new Set(state.input.exclude ?? []), candidateOffices: state.candidateOffices, language: state.language, requireLanguage: state.requireLanguage, requireSenior: state.requireSenior };
}

/** Why rule 8 turns an agent down, in order: tried already, logged out, office, language, seniority, capacity. */
export type Blocker = 'tried' | 'offline' | 'office' | 'language' | 'seniority' | 'capacity';

/**
 * Rule 8 for one agent: what keeps them from this call (nothing: they qualify). The one statement of the rule,
 * for the pipeline's trace and for the floor, which also needs to tell an agent who is merely busy (only
 * `capacity`: the caller may wait for them) from one who cannot take the call at all.
 */
export function blockersOf(agent: RosterAgent, live: AgentLiveState, requirements: Requirements): Blocker[] {
  const blockers: Blocker[] = [];
  if (requirements.excluded.has(agent.id)) blockers.push('tried');
  if (live.status !== 'available') blockers.push('offline');
  if (!requirements.candidateOffices.includes(agent.office)) blockers.push('office');
  if (requirements.requireLanguage && !agent.languages.includes(requirements.language)) blockers.push('language');
  if (requirements.requireSenior && agent.tier !== 'senior') blockers.push('seniority');
  if (live.activeTransfers >= agent.maxConcurrent) blockers.push('capacity');
  return blockers;
}

function describeBlocker(blocker: Blocker, agent: RosterAgent, live: AgentLiveState, requirements: Requirements): string {
  switch (blocker) {
    case 'tried':
      return 'already tried for this call';
    case 'offline':
      return `is ${live.status}`;
    case 'office':
      return `office ${agent.office} is not a candidate office`;
    case 'language':
      return `does not speak ${requirements.language}`;
    case 'seniority':
      return 'is not senior';
    case 'capacity':
      return `at capacity (${live.activeTransfers}/${agent.maxConcurrent}${live.state && live.state !== 'available' ? `, ${live.state}` : ''})`;
  }
}

/** A reason lists a handful of agents and counts the rest: a department of hundreds must not fill a history. */
export function listAgents(agentIds: readonly string[], shown = 10): string {
  return agentIds.length <= shown ? agentIds.join(', ') : `${agentIds.slice(0, shown).join(', ')} and ${agentIds.length - shown} more`;
}

export function describePass(state: Pick<RoutingState, 'pass'>): string {
  switch (state.pass) {
    case 'none':
      return 'all requirements';
    case 'seniority':
      return 'seniority relaxed';
    case 'language':
      return 'seniority and language relaxed';
    case 'line':
      return 'department line';
  }
}

export const qualifiedAgentsStep: RoutingStep = { name: 'qualified-agents', apply: qualify };
