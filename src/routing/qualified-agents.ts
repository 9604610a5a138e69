import type { CandidateTrace } from '../contracts';
import type { RoutingState, RoutingStep } from './routing-state';
import { withReason } from './routing-state';

/**
 * Rule 8. An agent qualifies when available, in a candidate office, skilled in the department, speaking the
 * language (unless relaxed), senior when required (unless relaxed), and below `maxConcurrent`. Every
 * agent's verdict is traced with the reasons it was dropped.
 */
export function qualify(state: RoutingState): RoutingState {
  const department = state.department?.id;
  const excluded = new Set(state.input.exclude ?? []);
  const qualified: string[] = [];
  const traces: CandidateTrace[] = [];
  for (const agent of state.input.policy.agents) {
    if (department && !agent.skills.includes(department)) continue; // not a candidate at all: no trace noise
    const live = state.input.agents[agent.id] ?? { status: 'available', activeTransfers: 0, lastAssignedAt: null };
    const why: string[] = [];
    if (excluded.has(agent.id)) why.push('already tried for this call');
    if (live.status !== 'available') why.push(`is ${live.status}`);
    if (!state.candidateOffices.includes(agent.office)) why.push(`office ${agent.office} is not a candidate office`);
    if (state.requireLanguage && !agent.languages.includes(state.language)) why.push(`does not speak ${state.language}`);
    if (state.requireSenior && agent.tier !== 'senior') why.push('is not senior');
    if (live.activeTransfers >= agent.maxConcurrent) why.push(`at capacity (${live.activeTransfers}/${agent.maxConcurrent}${live.state && live.state !== 'available' ? `, ${live.state}` : ''})`);
    if (why.length === 0) qualified.push(agent.id);
    traces.push({ agentId: agent.id, office: agent.office, pass: state.pass, verdict: why.length === 0 ? 'qualified' : 'dropped', why });
  }
  const summary = qualified.length > 0 ? `qualified: ${listAgents(qualified)}` : 'no agent qualifies';
  return withReason(state, `Agents (${describePass(state)}): ${summary}.`, { qualified, candidates: [...state.candidates, ...traces] });
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
