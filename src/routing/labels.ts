import type { CallDestination, RoutingDecision, RoutingPolicy } from '../contracts';

/**
 * What to call the place a call went: "agent a-17", "billing line", "after-hours voicemail". Built from the
 * destination itself, never from the department alone: a billing caller at night goes to the after-hours
 * voicemail, not to the billing line. Pure and free of workflow imports, so the CLI, the API, the operations
 * and the workflow can all name a destination the same way.
 */

/** The routing file's named lines, as the routing steps name them. */
const NAMED_LINES: Record<string, string> = {
  general: 'general line',
  'enterprise-24x7': 'enterprise-24x7 line',
  'after-hours-voicemail': 'after-hours voicemail',
};

/** Lines that only rule 7 (office hours) chooses, when no office is open. */
export const AFTER_HOURS_LINES: readonly string[] = [NAMED_LINES['enterprise-24x7']!, NAMED_LINES['after-hours-voicemail']!];

/** The decision that the caller waits in the department's line. */
export function waitsInLineLabel(department: string): string {
  return `waits in ${department}'s line`;
}

export function lineLabel(name: string): string {
  return NAMED_LINES[name] ?? `${name} line`;
}

function sameDestination(a: CallDestination, b: CallDestination): boolean {
  return a.type === 'number' && b.type === 'number' ? a.number === b.number : a.type === 'sip' && b.type === 'sip' && a.sipUri === b.sipUri;
}

type Labelled = { label: string; destination: CallDestination };

/**
 * Every place of the routing file a call can go, labelled, in the order a shared number is best read as:
 * the step that decided goes first (rule 1 ends on the general line, rule 7 on the after-hours lines), then
 * the caller's own department's line, the named lines and the other departments' lines.
 */
function places(policy: Pick<RoutingPolicy, 'lines' | 'departments' | 'agents'>, hint: { decidedBy?: string | undefined; department?: string | null | undefined }): Labelled[] {
  const lines = Object.entries(policy.lines).map(([name, destination]) => ({ label: lineLabel(name), destination }));
  const departments = policy.departments.map((department) => ({ label: lineLabel(department.id), destination: department.line, id: department.id }));
  const first =
    hint.decidedBy === 'department'
      ? lines.filter((line) => line.label === NAMED_LINES.general)
      : hint.decidedBy === 'office-hours'
        ? lines.filter((line) => AFTER_HOURS_LINES.includes(line.label))
        : departments.filter((department) => department.id === hint.department);
  return [...first, ...departments.filter((department) => department.id === hint.department), ...lines, ...departments];
}

/**
 * The label of a destination of this routing file, found by its number or SIP URI (agents first); null when
 * the file has no such destination (the file changed since, or the destination came from elsewhere).
 */
export function labelDestination(
  destination: CallDestination,
  policy: Pick<RoutingPolicy, 'lines' | 'departments' | 'agents'>,
  hint: { decidedBy?: string | undefined; department?: string | null | undefined } = {},
): string | null {
  const agent = policy.agents.find((candidate) => sameDestination(candidate.destination, destination));
  if (agent) return `agent ${agent.id}`;
  return places(policy, hint).find((place) => sameDestination(place.destination, destination))?.label ?? null;
}

/**
 * Where a decision sends the call: its agent, or the line its destination is in `policy` (the routing file the
 * decision was made with). Without the file, what the deciding step implies: the general line for rule 1, an
 * after-hours line for rule 7, the department's line for relaxation and a failed reservation.
 */
export function destinationLabel(
  decision: Pick<RoutingDecision, 'agentId' | 'department' | 'decidedBy' | 'destination' | 'queued'>,
  policy?: Pick<RoutingPolicy, 'lines' | 'departments' | 'agents'> | null,
): string {
  if (decision.agentId) return `agent ${decision.agentId}`;
  // "Waits in line" is a decision of its own; its destination is only where the caller goes should they wait too long.
  if (decision.queued) return waitsInLineLabel(decision.queued.department);
  const found = policy ? labelDestination(decision.destination, { ...policy, agents: [] }, decision) : null;
  if (found) return found;
  if (decision.decidedBy === 'department' || !decision.department) return NAMED_LINES.general!;
  if (decision.decidedBy === 'office-hours') return 'an after-hours line';
  if (decision.decidedBy === 'fallback') return 'a fallback line';
  return lineLabel(decision.department);
}
