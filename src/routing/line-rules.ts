import type { CustomerTier, QueueSettings, Urgency, WaitingEntry } from '../contracts';
import { AGENT_PASSES } from './relaxation';
import type { AgentPass } from './relaxation';

/**
 * The rules of waiting in line (docs/routing-rules.md, "Waiting in line"): pure, for the floor that keeps the
 * lines, the transfers that wait in them, and the tests.
 */

/** A caller's priority class in line: 2 enterprise or critical urgency, 1 premium or high urgency, 0 the rest. */
export function priorityClass(tier: CustomerTier, urgency: Urgency): number {
  if (tier === 'enterprise' || urgency === 'critical') return 2;
  if (tier === 'premium' || urgency === 'high') return 1;
  return 0;
}

/** Priority with aging: one class more for every `priorityAgingSeconds` waited, so nobody waits for ever. */
export function effectivePriority(entry: Pick<WaitingEntry, 'priority' | 'joinedAt'>, settings: Pick<QueueSettings, 'priorityAgingSeconds'>, now: number): number {
  return entry.priority + Math.floor(Math.max(0, now - entry.joinedAt) / 1000 / settings.priorityAgingSeconds);
}

/**
 * The order callers are served in, across any number of lines: a caller back after an agent did not pick up
 * first; then by priority with aging; then by who joined first. One order for the whole floor, so an agent who
 * serves several departments takes the caller who has waited longest at the highest priority across them.
 */
export function serviceOrder<T extends WaitingEntry>(entries: readonly T[], settingsOf: (department: string) => Pick<QueueSettings, 'priorityAgingSeconds'>, now: number): T[] {
  const key = (entry: T) => effectivePriority(entry, settingsOf(entry.department), now);
  return [...entries].sort((a, b) => Number(b.front) - Number(a.front) || key(b) - key(a) || a.joinedAt - b.joinedAt || (a.transferId < b.transferId ? -1 : 1));
}

/** The requirements a waiting caller's agent must meet now: their pass at joining, widened by the line's steps. */
export function passAt(entry: Pick<WaitingEntry, 'basePass' | 'joinedAt'>, settings: Pick<QueueSettings, 'relax'>, now: number): AgentPass {
  const waited = (now - entry.joinedAt) / 1000;
  let index = AGENT_PASSES.indexOf(entry.basePass);
  for (const step of settings.relax) {
    if (step.afterSeconds > waited) break;
    index = Math.max(index, AGENT_PASSES.indexOf(step.drop));
  }
  return AGENT_PASSES[index]!;
}

/**
 * Whether a caller who found every agent of `pass` busy waits for them, or relaxes at once (rule 11). A line
 * with relax steps waits at the requirements the caller has reached and widens them with time; a line without
 * steps relaxes at once, as rule 11 always did, so callers wait only when nobody they could have is free.
 */
export function waitsAt(pass: AgentPass, seniorRequired: boolean, settings: Pick<QueueSettings, 'relax'>): boolean {
  const later = AGENT_PASSES.slice(AGENT_PASSES.indexOf(pass) + 1).filter((next) => next !== 'seniority' || seniorRequired);
  if (later.length === 0) return true;
  return settings.relax.some((step) => later.includes(step.drop));
}

/** When the caller's requirements next widen (epoch ms), or null when they no longer will. */
export function nextRelaxAt(entry: Pick<WaitingEntry, 'basePass' | 'joinedAt'>, settings: Pick<QueueSettings, 'relax'>, now: number): number | null {
  const current = AGENT_PASSES.indexOf(passAt(entry, settings, now));
  const step = settings.relax.find((candidate) => entry.joinedAt + candidate.afterSeconds * 1000 > now && AGENT_PASSES.indexOf(candidate.drop) > current);
  return step ? entry.joinedAt + step.afterSeconds * 1000 : null;
}

/**
 * An honest guess at the wait of the caller at `position`: the department's agents who are logged in take
 * callers side by side (`servers`, each as many as their maxConcurrent), each call lasting the department's
 * recent handle time (the mean of its last handle times: from a call reaching an agent to the agent being free
 * again; the after-call time until there are any). Callers ahead are served in rounds of `servers`.
 */
export function estimateWaitSeconds(position: number, servers: number, handleSeconds: readonly number[], afterCallSeconds: number): number {
  const handle = handleSeconds.length > 0 ? handleSeconds.reduce((sum, seconds) => sum + seconds, 0) / handleSeconds.length : afterCallSeconds;
  return Math.round(Math.ceil(position / Math.max(1, servers)) * handle);
}
