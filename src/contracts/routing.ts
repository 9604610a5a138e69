import type { CallDestination, TransferPlanMode } from './destinations';
import type { CustomerProfile, Urgency } from './transfer';

/**
 * The routing configuration as the workflow sees it: the parsed routing file without the CRM. It reaches
 * workflows as an activity result, recorded in history, so editing the file never changes a running or
 * replayed transfer.
 */
export interface RoutingPolicy {
  offices: {
    id: string;
    timezone: string;
    /** Minutes after local midnight per weekday (`mon`..`sun`); `end` exclusive. */
    hours: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', { start: number; end: number }>>;
    holidays: string[];
  }[];
  callerRegions: { usWestAreaCodes: string[]; countryCodes: Record<string, string> };
  /** In file order: the first department whose alias matches wins. */
  departments: { id: string; aliases: string[]; line: CallDestination }[];
  lines: { general: CallDestination; 'enterprise-24x7': CallDestination; 'after-hours-voicemail': CallDestination; [name: string]: CallDestination };
  /** Rule 6: the transfer mode per customer tier, and for a standard caller who needs a senior agent. */
  transferModes: Record<'enterprise' | 'premium' | 'standard' | 'standard-needs-senior', TransferPlanMode>;
  agents: {
    id: string;
    name: string;
    office: string;
    skills: string[];
    languages: string[];
    tier: 'junior' | 'senior';
    maxConcurrent: number;
    destination: CallDestination;
  }[];
}

/** One agent's live state as routing reads it (kept by that agent's `agent` workflow). */
export interface AgentLiveState {
  status: 'available' | 'offline';
  activeTransfers: number;
  /** When the agent was last given a transfer; null = never, which counts as idle longest. */
  lastAssignedAt: string | null;
}

export interface ToneAssessment {
  /** Mean lexicon score of the caller's words, -5 (furious) .. +5; 0 when nothing was said. */
  score: number;
  /** A clearly negative tone: the score and the number of negative words both past their thresholds. */
  angry: boolean;
  negativeWords: number;
}

/** Silence, or a tone that could not be judged: routing treats the caller as calm. */
export const NEUTRAL_TONE: Readonly<ToneAssessment> = Object.freeze({ score: 0, angry: false, negativeWords: 0 });

/** Everything a routing decision depends on. Pure data: the same input always gives the same decision. */
export interface RoutingInput {
  department?: string;
  reason?: string;
  urgency: Urgency;
  callerNumber?: string;
  customer: CustomerProfile;
  tone: ToneAssessment;
  policy: RoutingPolicy;
  /** Live state by agent id; agents missing here are available and idle. */
  agents: Record<string, AgentLiveState>;
  /** The as-of time (ISO 8601): workflow time inside a transfer, or the `at` of a dry run. */
  at: string;
  /** Agents already tried for this call (fallback chain); never offered again. */
  exclude?: string[];
}

export type Relaxation = 'none' | 'seniority' | 'language' | 'line';

/** Why each candidate agent was or was not chosen. */
export interface CandidateTrace {
  agentId: string;
  office: string;
  /** Relaxation pass in which this verdict was reached. */
  pass: Relaxation;
  verdict: 'picked' | 'qualified' | 'dropped';
  why: string[];
}

/** The full account of a decision: what a supervisor reads, what the CRM note and the memo keep. */
export interface RoutingTrace {
  /** The as-of time the rules were applied at (ISO 8601). */
  at: string;
  department: string | null;
  office: string;
  language: string;
  seniorRequired: boolean;
  candidateOffices: string[];
  relaxation: Relaxation;
  candidates: CandidateTrace[];
  /** The step that made the final choice. */
  decidedBy: string;
  reasons: string[];
  /**
   * What the rules chose, before any reservation: the first ranked agent (or the line) and its destination.
   * The decision's agent differs only when another call took that agent a moment before.
   */
  choice: { agentId: string | null; destination: CallDestination };
  /** Agents in the order the reservation tried them. */
  ranked: string[];
}

/** A destination to try after the first did not connect, in order. */
export interface FallbackTarget {
  agentId: string | null;
  label: string;
  destination: CallDestination;
  mode: TransferPlanMode;
}
