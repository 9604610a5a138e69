import type { CallDestination, CandidateTrace, Relaxation, RoutingInput, TransferPlanMode } from '../contracts';

/** What the pipeline knows so far. Steps never mutate it: each returns the next state. */
export interface RoutingState {
  input: RoutingInput;
  reasons: string[];
  department: { id: string; line: CallDestination } | null;
  office: string;
  language: string;
  seniorRequired: boolean;
  mode: TransferPlanMode;
  candidateOffices: string[];
  /** The relaxation pass the agent steps (rules 8-10) currently run in, and its requirements. */
  pass: Relaxation;
  requireSenior: boolean;
  requireLanguage: boolean;
  /** Agents qualified in the current pass, in file order. */
  qualified: string[];
  /** Agents in the order they should be tried: the choice first. */
  ranked: string[];
  candidates: CandidateTrace[];
  /** Set when a step has decided; later steps pass the state through. */
  decided: Decided | null;
}

/**
 * What a step decided: an agent (reached at the destination the routing file gives them, which only the
 * full file knows) or a line (reached at its destination).
 */
export type Decided =
  | { agentId: string; destination: null; decidedBy: string; label: string }
  | { agentId: null; destination: CallDestination; decidedBy: string; label: string };

/** One rule of the routing pipeline. `apply` is pure: same state in, same state out. */
export interface RoutingStep {
  name: string;
  apply(state: RoutingState): RoutingState;
}

export function withReason(state: RoutingState, reason: string, patch: Partial<RoutingState> = {}): RoutingState {
  return { ...state, ...patch, reasons: [...state.reasons, reason] };
}
