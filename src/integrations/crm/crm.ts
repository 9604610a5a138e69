import { z } from 'zod';
import { ANONYMOUS_CUSTOMER, CUSTOMER_TIERS } from '../../contracts';
import type { CustomerProfile, CustomerTier } from '../../contracts';

/** A customer as any CRM returns it; the demo's routing-file customers are one shape of it. */
export interface CrmCustomer {
  id: string;
  name: string;
  /** E.164, when the CRM has it. */
  phone?: string | undefined;
  tier: CustomerTier;
  language?: string | undefined;
  office?: string | undefined;
  /** The Switchboard agent id of the agent who served this customer last. */
  lastAgent?: string | undefined;
  escalations90d: number;
}

/** A CRM note about one transfer; the summary a receiving agent reads. */
export interface TransferNote {
  /** Idempotency key: one note per transfer workflow, however often the step is retried. */
  transferId: string;
  customerId: string | null;
  department: string | null;
  agentId: string | null;
  reason: string | null;
  urgency: string;
  callerWords: string | null;
  status: 'pending-transfer' | 'not-transferred';
  statusReason?: string;
  /** Why the call went where it went: the routing reasons and every candidate considered. */
  routing?: { decidedBy: string; reasons: string[]; candidates: { agentId: string; verdict: string; why: string[] }[] };
}

export type TransferNoteStatus = TransferNote['status'];

/** A note as the CRM holds it: what the receiving agent read, and whether the transfer happened. */
export interface StoredTransferNote {
  noteId: string;
  transferId: string;
  status: TransferNoteStatus;
  statusReason: string | null;
  /** The summary text the agent reads. */
  text: string;
}

/**
 * A store of transfer notes Switchboard keeps itself (SQL tables, or memory; HubSpot and HTTP CRMs keep their
 * own): one note per transfer, written afresh only once it was marked not transferred.
 */
export interface TransferNotes {
  upsert(note: TransferNote): Promise<{ noteId: string }>;
  setStatus(noteId: string, status: TransferNoteStatus, statusReason: string): Promise<void>;
  find(transferId: string): Promise<StoredTransferNote | null>;
}

/** The CRM record as routing reads it; null (not found) becomes the anonymous profile. */
export function toCustomerProfile(customer: CrmCustomer | null): CustomerProfile {
  if (!customer) return { ...ANONYMOUS_CUSTOMER };
  return {
    known: true,
    customerId: customer.id,
    displayName: customer.name,
    tier: customer.tier,
    language: customer.language ?? null,
    office: customer.office ?? null,
    lastAgentId: customer.lastAgent ?? null,
    escalations90d: customer.escalations90d,
  };
}

/**
 * The narrow CRM surface the activities need (`enrichCustomer`, `postSummary`, `markSummaryNotTransferred`).
 * Every adapter implements it through {@link CrmAdapter}; tests hand in small fakes of just this.
 */
export interface Crm {
  findCustomer(query: { customerId?: string; phone?: string }): Promise<CrmCustomer | null>;
  /**
   * Creates the note for `note.transferId`, or returns the existing one unchanged, however often it is retried.
   * A note already marked not transferred is written afresh: a later run of the same transfer (an operator's
   * retry) is posting it again.
   */
  upsertTransferNote(note: TransferNote): Promise<{ noteId: string }>;
  updateNoteStatus(noteId: string, status: TransferNoteStatus, statusReason: string): Promise<void>;
}

export const CRM_KINDS = ['demo', 'postgres', 'http', 'hubspot'] as const;
export type CrmKind = (typeof CRM_KINDS)[number];

/** A configured CRM: what the activities need, plus what operators and processes need. */
export interface CrmAdapter extends Crm {
  readonly kind: CrmKind;
  /** The note as the CRM holds it now (what the receiving agent reads), or null when there is none. */
  findTransferNote(transferId: string): Promise<StoredTransferNote | null>;
  /** One cheap, bounded round trip; throws when the CRM cannot be reached. `/readyz` reports it. */
  check(): Promise<void>;
  /**
   * Run once at start: proves the configuration works (reachable, credentials accepted, schema or query
   * fits). Throws {@link CrmConfigError} naming the variable and the fix.
   */
  validate(): Promise<void>;
  close(): Promise<void>;
}

/** Bad CRM configuration found at start; the message names the variable and says how to fix it. */
export class CrmConfigError extends Error {
  override readonly name = 'CrmConfigError';
}

/**
 * A CRM call that failed. Messages name the operation and the cause (status, error code), never a phone
 * number, a name or the CRM's response body, which may echo either.
 */
export class CrmError extends Error {
  override readonly name = 'CrmError';
  constructor(
    message: string,
    /** False for answers that will not change on a retry (4xx, an answer off the contract). */
    readonly retryable: boolean,
    /** How long the CRM asked us to wait before trying again (HTTP `Retry-After`). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Customer fields as a CRM hands them over (strings from a column, a property or JSON), checked and
 * normalised once for every adapter: tiers and languages lower-case, a language tag cut to its language
 * (`en-US` → `en`, what routing compares), empty strings absent.
 */
const blankToUndefined = (value: unknown) => (value === null || (typeof value === 'string' && value.trim() === '') ? undefined : value);
const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());
export const crmCustomerSchema = z.object({
  id: z.union([z.string().trim().min(1), z.number().int()]).transform(String),
  name: z.string().trim().min(1),
  phone: optionalText,
  tier: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
    z.enum(CUSTOMER_TIERS),
  ),
  language: optionalText.transform((value) => value?.toLowerCase().split(/[-_]/)[0]),
  office: optionalText,
  lastAgent: optionalText,
  escalations90d: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).default(0)),
});

/** What is wrong with a CRM's answer, field by field ("tier: Invalid option; …"): names and rules, never values. */
export function describeFieldProblems(error: z.ZodError, whole: string): string {
  return error.issues.map((issue) => `${issue.path.join('.') || whole}: ${issue.message}`).join('; ');
}

/** Parses one customer record; a record off the schema is an error naming the fields, never their values. */
export function parseCrmCustomer(raw: unknown, source: string): CrmCustomer {
  const parsed = crmCustomerSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new CrmError(`${source} returned a customer Switchboard cannot use (${describeFieldProblems(parsed.error, '(record)')})`, false);
}

const STATUS_LABEL: Record<TransferNoteStatus, string> = { 'pending-transfer': 'pending transfer', 'not-transferred': 'NOT TRANSFERRED' };

/** A note's status as people read it: "pending transfer", "NOT TRANSFERRED (transfer not completed)". */
export function describeNoteStatus(status: TransferNoteStatus, statusReason?: string | null): string {
  return `${STATUS_LABEL[status]}${statusReason ? ` (${statusReason})` : ''}`;
}

/** The status line every adapter shows above a summary it stores as text. */
export function noteStatusLine(status: TransferNoteStatus, statusReason?: string | null): string {
  return `Status: ${describeNoteStatus(status, statusReason)}`;
}

/** The summary a receiving agent reads, as plain text; every adapter stores this text. */
export function renderTransferNote(note: TransferNote): string {
  const who = note.agentId ? `agent ${note.agentId}` : 'a line';
  const lines = [
    `Transfer to ${who}${note.department ? ` in ${note.department}` : ''}, urgency ${note.urgency}.`,
    note.reason ? `Reason: ${note.reason}` : undefined,
    note.callerWords ? `Caller said: "${note.callerWords}"` : undefined,
    note.routing ? `Routing (decided by ${note.routing.decidedBy}): ${note.routing.reasons.join(' ')}` : undefined,
    `Transfer id: ${note.transferId}`,
  ];
  return lines.filter((line): line is string => line !== undefined).join('\n');
}
