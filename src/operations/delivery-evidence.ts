import type { FailureType, TransferStepName } from '../contracts';
import { POST_FAILURE_PROOF } from '../contracts';
import type { StepTiming, TransferHistory } from './transfer-history';

/** The step that POSTs the transfer to the controlUrl. */
export const TRANSFER_POST_STEP: TransferStepName = 'executeTransfer';

/** Whether a finished run's transfer may have reached Vapi, read from its history; `why` says which POST and how. */
export type DeliveryEvidence = { mayHaveReached: false; posts: number } | { mayHaveReached: true; posts: number; why: string };

/**
 * Reads a run's transfer POSTs back from its history, keeping the rule the workflow keeps: a POST may have
 * reached Vapi unless it provably did not — refused (4xx), answered 503/429, never written, or an attempt
 * whose worker died before its sending marker was recorded. A run that ended `not-connected` has Vapi's
 * word that none connected and the caller is back with the assistant.
 *
 * The history, not a search attribute, is the evidence: a run cut short (terminated, timed out, its worker
 * gone) may never have upserted its outcome, and its events are what actually happened.
 */
export function deliveryEvidence(history: TransferHistory): DeliveryEvidence {
  const posts = history.steps.filter((step) => step.activity === TRANSFER_POST_STEP && step.kind === 'activity');
  if (history.result?.outcome === 'not-connected') return { mayHaveReached: false, posts: posts.length };
  for (const post of posts) {
    const why = mayHaveReached(post);
    if (why) return { mayHaveReached: true, posts: posts.length, why: `${post.summary ?? 'a transfer POST'} (${post.scheduledAt}) ${why}` };
  }
  return { mayHaveReached: false, posts: posts.length };
}

/** Why this POST may have reached Vapi, or null when it provably did not. */
function mayHaveReached(post: StepTiming): string | null {
  switch (post.status) {
    case 'completed':
      return 'was accepted by Vapi';
    case 'failed':
      return post.failureType && POST_FAILURE_PROOF[post.failureType as FailureType] ? null : `ended in doubt (${post.error ?? 'no answer'})`;
    case 'timed-out':
      return post.wasSending === false ? null : 'timed out after it may have been written';
    case 'cancelled':
      return post.startedAt === null ? null : 'was cancelled after a worker had started it';
    default:
      return 'never finished (its run ended while it was under way)';
  }
}
