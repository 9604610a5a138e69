import type { ContactCenter } from '../config/contact-center';
import type { CallDestination, RoutingDecision } from '../contracts';
import type { AgentReservations } from '../integrations/agent-reservations';

export interface PickAgentInput {
  transferId: string;
  department?: string;
  reason?: string;
  /** The caller's language; null when unknown. */
  language: string | null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function wholeWord(alias: string): RegExp {
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(alias.toLowerCase())}($|[^\\p{L}\\p{N}])`, 'u');
}

/**
 * Department matching from the tool arguments: `department` against ids and aliases (case-insensitive), then
 * any alias as a whole word in `reason`, first department in file order winning.
 */
export function matchDepartment(
  departments: ContactCenter['departments'],
  department: string | undefined,
  reason: string | undefined,
): { id: string; how: string } | null {
  const wanted = department?.trim().toLowerCase();
  if (wanted) {
    const direct = departments.find((d) => d.id === wanted || d.aliases.some((alias) => alias.toLowerCase() === wanted));
    if (direct) return { id: direct.id, how: `department "${wanted}" matches ${direct.id}` };
  }
  const text = reason?.toLowerCase();
  if (text) {
    for (const d of departments) {
      const alias = [d.id, ...d.aliases].find((candidate) => wholeWord(candidate).test(text));
      if (alias) return { id: d.id, how: `reason mentions "${alias}", an alias of ${d.id}` };
    }
  }
  return null;
}

export function createAgentActivities(deps: { contactCenter: ContactCenter; reservations: AgentReservations }) {
  const { contactCenter, reservations } = deps;

  return {
    /**
     * Chooses where the call goes and reserves the agent. Simple routing: the department from the arguments,
     * then the first agent (in file order) with that skill and the caller's language who has capacity left;
     * otherwise the department's line; with no department, the general line.
     */
    async pickAgent(input: PickAgentInput): Promise<RoutingDecision> {
      const reasons: string[] = [];
      const department = matchDepartment(contactCenter.departments, input.department, input.reason);
      if (!department) {
        reasons.push('no department matched the request: general line');
        return line(null, contactCenter.lines.general, reasons, 'department');
      }
      reasons.push(department.how);
      const language = input.language ?? 'en';
      const candidates = contactCenter.agents.filter(
        (agent) => agent.skills.includes(department.id) && agent.languages.includes(language),
      );
      const agentId = await reservations.reserveFirstAvailable(input.transferId, candidates);
      const departmentLine = contactCenter.departments.find((d) => d.id === department.id)!.line;
      if (!agentId) {
        reasons.push(`no ${department.id} agent speaking "${language}" has capacity: ${department.id} line`);
        return line(department.id, departmentLine, reasons, 'agent-availability');
      }
      const agent = contactCenter.agents.find((a) => a.id === agentId)!;
      reasons.push(`first available ${department.id} agent speaking "${language}": ${agent.id}`);
      return { department: department.id, agentId, destination: agent.destination, mode: 'blind-transfer', reasons, decidedBy: 'first-qualified-agent' };
    },

    /** Compensation for {@link pickAgent}; releasing twice is harmless. */
    async releaseAgent(input: { transferId: string; agentId: string }): Promise<void> {
      await reservations.release(input.transferId, input.agentId);
    },
  };
}

function line(department: string | null, destination: CallDestination, reasons: string[], decidedBy: string): RoutingDecision {
  return { department, agentId: null, destination, mode: 'blind-transfer', reasons, decidedBy };
}
