import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../contracts';
import type { CustomerProfile, RoutingDecision, Urgency } from '../contracts';
import type { Crm, NoteStatusChange, TransferNoteStatus } from '../integrations/crm';
import { CrmError, toCustomerProfile } from '../integrations/crm';

export interface EnrichCustomerInput {
  customerId?: string;
  callerNumber?: string;
}

export interface PostSummaryInput {
  transferId: string;
  customer: CustomerProfile;
  decision: RoutingDecision;
  reason?: string;
  urgency: Urgency;
  callerWords?: string;
}

/**
 * The adapter already retried within its budget; what reaches the workflow says whether another attempt can
 * help: a refusal (4xx, an answer off the contract) is final, an outage is not.
 */
async function crmCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof CrmError)) throw error;
    throw error.retryable
      ? ApplicationFailure.retryable(error.message, FailureType.CrmUnavailable)
      : ApplicationFailure.nonRetryable(error.message, FailureType.CrmRejected);
  }
}

export function createCrmActivities(deps: { crm: Crm }) {
  return {
    /** Looks the caller up by `customerId`, else by number. Unknown callers are anonymous: standard tier, no history. */
    async enrichCustomer(input: EnrichCustomerInput): Promise<CustomerProfile> {
      return toCustomerProfile(await crmCall(() => deps.crm.findCustomer({ customerId: input.customerId, phone: input.callerNumber })));
    },

    /** Writes the conversation summary the receiving agent reads; one note per transfer, however often retried. */
    async postSummary(input: PostSummaryInput): Promise<{ noteId: string }> {
      return crmCall(() => deps.crm.upsertTransferNote({
        transferId: input.transferId,
        customerId: input.customer.customerId,
        department: input.decision.department,
        agentId: input.decision.agentId,
        reason: input.reason ?? null,
        urgency: input.urgency,
        callerWords: input.callerWords ?? null,
        status: 'pending-transfer',
        routing: {
          decidedBy: input.decision.decidedBy,
          reasons: input.decision.reasons,
          candidates: (input.decision.trace?.candidates ?? []).map(({ agentId, verdict, why }) => ({ agentId, verdict, why })),
        },
      }));
    },

    /**
     * Marks the note with where the transfer stands (transferred, waiting in line, a callback promised, …).
     * A move the lifecycle refuses (canMoveNote: a late compensation after `transferred`, the same status
     * again) changes nothing and answers `{ changed: false }`, so retries and compensations are safe; a retry
     * of a mark that was applied answers false too.
     */
    async markSummary(input: { noteId: string; status: TransferNoteStatus; reason?: string }): Promise<NoteStatusChange> {
      return crmCall(() => deps.crm.updateNoteStatus(input.noteId, input.status, input.reason ?? null));
    },

    /** Compensation for {@link postSummary} (1.0 workflows): the note stays, marked as not transferred, so the history is honest. */
    async markSummaryNotTransferred(input: { noteId: string; reason: string }): Promise<void> {
      await crmCall(() => deps.crm.updateNoteStatus(input.noteId, 'not-transferred', input.reason));
    },
  };
}
