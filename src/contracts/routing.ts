import type { CallDestination, TransferPlanMode } from './destinations';
import type { CustomerProfile, Urgency } from './customer';

/** An office's wall clock at the as-of time: recorded, so a replay never depends on the worker's time-zone data. */
export interface OfficeClock {
  date: string;
  weekday: 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
  minutes: number;
  display: string;
}

/** An agent as routing qualifies and ranks them (rules 8-11): everything but how to reach them. */
export interface RosterAgent {
  id: string;
  office: string;
  /** Department ids. */
  skills: string[];
  languages: string[];
  tier: 'junior' | 'senior';
  maxConcurrent: number;
}

/** An agent of the routing file: the roster entry, a name and where calls to them go. */
export interface PolicyAgent extends RosterAgent {
  name: string;
  destination: CallDestination;
}

/**
 * The rules' part of the routing file: offices, caller regions, departments, lines and modes (rules 1-7).
 * Small at any size of contact center, so a transfer records it in history whole.
 */
/** A department's line, as its `queue:` in the routing file sets it (defaults: `DEFAULT_QUEUE`). */
export interface QueueSettings {
  /** Past this in line, the caller goes to the department's phone line (after hours: the after-hours line). */
  maxWaitSeconds: number;
  /** A caller arriving at a line this long goes to the department's phone line at once. */
  maxWaiting: number;
  /** How often the assistant is told where the caller stands, besides whenever their place changes. */
  updateEverySeconds: number;
  /** The service-level target: answered within this many seconds. */
  serviceLevelSeconds: number;
  /** Every this many seconds in line raise a caller's priority by one class, so nobody waits for ever behind priority callers. */
  priorityAgingSeconds: number;
  /** Whether the assistant offers a callback (needs VAPI_API_KEY and VAPI_PHONE_NUMBER_ID). */
  callbacks: boolean;
  /** A callback nobody answers is tried this many times in all, this far apart, within office hours. */
  callbackAttempts: number;
  callbackSpacingSeconds: number;
  /** Relaxation over time in line: after `afterSeconds`, drop a requirement (TaskRouter's workflow steps). */
  relax: { afterSeconds: number; drop: 'seniority' | 'language' }[];
}

export const DEFAULT_QUEUE: QueueSettings = {
  maxWaitSeconds: 600,
  maxWaiting: 20,
  updateEverySeconds: 60,
  serviceLevelSeconds: 60,
  priorityAgingSeconds: 120,
  callbacks: true,
  callbackAttempts: 3,
  callbackSpacingSeconds: 600,
  relax: [],
};

export interface RoutingRules {
  offices: {
    id: string;
    timezone: string;
    /** Minutes after local midnight per weekday (`mon`..`sun`); `end` exclusive. */
    hours: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', { start: number; end: number }>>;
    holidays: string[];
  }[];
  callerRegions: { usWestAreaCodes: string[]; countryCodes: Record<string, string> };
  /** In file order: the first department whose alias matches wins. */
  departments: { id: string; aliases: string[]; line: CallDestination; queue?: QueueSettings }[];
  lines: { general: CallDestination; 'enterprise-24x7': CallDestination; 'after-hours-voicemail': CallDestination; [name: string]: CallDestination };
  /** Rule 6: the transfer mode per customer tier, and for a standard caller who needs a senior agent. */
  transferModes: Record<'enterprise' | 'premium' | 'standard' | 'standard-needs-senior', TransferPlanMode>;
}

/**
 * The whole routing configuration: the rules and every agent. Dry runs and the what-if diff read it whole;
 * a transfer (from generation 2 on) records only the rules and the floor holds the roster.
 */
export interface RoutingPolicy extends RoutingRules {
  agents: PolicyAgent[];
}

/** The contact-center state of an agent: ready, held for a transfer, on a call, wrapping up, or logged out. */
export const AGENT_STATES = ['available', 'reserved', 'on-call', 'wrap-up', 'offline'] as const;
export type AgentStateName = (typeof AGENT_STATES)[number];

/** One agent's live state as routing reads it (kept by the floor; in 1.0 by that agent's `agent` workflow). */
export interface AgentLiveState {
  /** Logged in and taking calls (`available`) or logged out (`offline`): what the agent last said. */
  status: 'available' | 'offline';
  /** Reservations and calls the agent holds: what counts against `maxConcurrent`. */
  activeTransfers: number;
  /** When the agent was last given a transfer; null = never, which counts as idle longest. */
  lastAssignedAt: string | null;
  /** What a supervisor sees, and since when (absent in states recorded by 1.0). */
  state?: AgentStateName;
  since?: string;
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
  /** The rules, and the agents rules 8-11 choose from (the floor passes its roster; dry runs the file's agents). */
  policy: RoutingRules & { agents: readonly RosterAgent[] };
  /** Live state by agent id; agents missing here are available and idle. */
  agents: Record<string, AgentLiveState>;
  /** The as-of time (ISO 8601): workflow time inside a transfer, or the `at` of a dry run. */
  at: string;
  /** Each office's wall clock at `at`, as recorded when the transfer read its inputs (else computed from time-zone data). */
  clocks?: Record<string, OfficeClock>;
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
