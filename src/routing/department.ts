import type { RoutingStep } from './routing-state';
import { withReason } from './routing-state';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `alias` as a whole word or phrase: not inside a longer word ("bill" does not match "billboard"). */
export function mentions(text: string, alias: string): boolean {
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(alias.toLowerCase())}($|[^\\p{L}\\p{N}])`, 'u').test(text.toLowerCase());
}

/**
 * Rule 1. The `department` argument against each department's id and aliases (case-insensitive); else any
 * alias as a whole word in `reason`, the first department in file order winning; else the general line,
 * blind, and routing ends.
 */
export const departmentStep: RoutingStep = {
  name: 'department',
  apply(state) {
    const { departments, lines } = state.input.policy;
    const asked = state.input.department?.trim().toLowerCase();
    if (asked) {
      const direct = departments.find((d) => d.id === asked || d.aliases.some((alias) => alias.toLowerCase() === asked));
      if (direct) {
        return withReason(state, `Department ${direct.id}: the assistant asked for "${asked}".`, { department: { id: direct.id, line: direct.line } });
      }
    }
    const reason = state.input.reason ?? '';
    for (const d of departments) {
      const alias = [d.id, ...d.aliases].find((candidate) => mentions(reason, candidate));
      if (alias) {
        const prefix = asked ? `"${asked}" is no department; ` : '';
        return withReason(state, `Department ${d.id}: ${prefix}the reason mentions "${alias}".`, { department: { id: d.id, line: d.line } });
      }
    }
    return withReason(state, `No department matched${asked ? ` "${asked}"` : ''} or the reason: general line, blind.`, {
      department: null,
      mode: 'blind-transfer',
      decided: { agentId: null, destination: lines.general, decidedBy: 'department', label: 'general line' },
    });
  },
};
