import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { RoutingDecision, TransferStatus, TransferStepName } from '../../contracts';

/** Said when a transfer cannot be made and nothing reached Vapi: the caller stays with the assistant. */
export const SORRY_MESSAGE = "I'm sorry, I couldn't connect you to a colleague just now. Please stay on the line and I'll keep helping you.";

/** Said while Switchboard finds out whether a transfer of unknown fate went through. */
export const HOLD_MESSAGE = 'One moment please, I am connecting you.';

/** "agent a-17", "billing line", "after-hours voicemail": where the call goes, without personal data. */
export function target(decision: Pick<RoutingDecision, 'agentId' | 'department' | 'label'>): string {
  return decision.label ?? (decision.agentId ? `agent ${decision.agentId}` : `${decision.department ?? 'general'} line`);
}

/** The Web UI's "current details": the static summary completed with what routing found out. */
export function describeDecision(decision: RoutingDecision, tier: string, urgency: string): string {
  return `Transfer: ${decision.department ?? 'general'}, ${tier}, ${urgency} urgency → ${target(decision)} (${decision.mode}), decided by ${decision.decidedBy}`;
}

/** Spoken to the caller before the transfer. */
export function announcement(decision: RoutingDecision): string {
  return decision.department ? `Connecting you to ${decision.department} now.` : 'Connecting you to a colleague now.';
}

export function failureType(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

/** Failure text for queries, details and the failure message: activity failures carry data-free messages by design. */
export function describeFailure(error: unknown): string {
  if (error instanceof ActivityFailure) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
    if (cause) return `${cause.name}: ${cause.message}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function lastFailedStep(status: TransferStatus): TransferStepName | undefined {
  return [...status.steps].reverse().find((record) => record.status === 'failed')?.name;
}
