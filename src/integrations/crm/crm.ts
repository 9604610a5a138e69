import { z } from 'zod';
import { ANONYMOUS_CUSTOMER, CUSTOMER_TIERS } from '../../contracts';
import type { CustomerProfile, CustomerTier } from '../../contracts';
import { nearest } from '../../vapi/suggest';

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
  /** Upserting always writes `pending-transfer`; other statuses come from {@link Crm.updateNoteStatus}. */
  status: TransferNoteStatus;
  statusReason?: string;
  /** Why the call went where it went: the routing reasons and every candidate considered. */
  routing?: { decidedBy: string; reasons: string[]; candidates: { agentId: string; verdict: string; why: string[] }[] };
}

import { TRANSFER_NOTE_STATUSES } from '../../contracts';
import type { TransferNoteStatus } from '../../contracts';

export { TRANSFER_NOTE_STATUSES };
export type { TransferNoteStatus };

/**
 * The moves {@link canMoveNote} allows, from each status. A status absent from a list is refused; moving to the
 * status a note already has is not a move (nothing changes, the first reason stays).
 */
const NOTE_MOVES: Record<TransferNoteStatus, readonly TransferNoteStatus[]> = {
  'pending-transfer': ['waiting-in-line', 'transferred', 'not-transferred', 'outcome-unknown', 'abandoned', 'callback-promised'],
  'waiting-in-line': ['transferred', 'not-transferred', 'outcome-unknown', 'abandoned', 'callback-promised'],
  transferred: [],
  'not-transferred': ['pending-transfer', 'callback-promised'],
  'outcome-unknown': ['transferred'],
  abandoned: [],
  'callback-promised': ['transferred', 'outcome-unknown', 'callback-missed', 'callback-failed'],
  'callback-missed': [],
  'callback-failed': [],
};

/**
 * Whether a note at `from` may be marked `to`: the one rule every adapter applies, so a late or repeated
 * compensation never rewrites what happened. A refused move is not an error: the adapter leaves the note
 * as it is and answers `{ changed: false }`.
 *
 * | from                | may move to                                                                                  |
 * | ------------------- | -------------------------------------------------------------------------------------------- |
 * | `pending-transfer`  | `waiting-in-line`, `transferred`, `not-transferred`, `outcome-unknown`, `abandoned`, `callback-promised` |
 * | `waiting-in-line`   | `transferred`, `not-transferred`, `outcome-unknown`, `abandoned`, `callback-promised`       |
 * | `transferred`       | nothing (final)                                                                              |
 * | `not-transferred`   | `pending-transfer` (an operator's retry writes the note afresh), `callback-promised`         |
 * | `outcome-unknown`   | `transferred` (the outcome became known)                                                     |
 * | `abandoned`         | nothing (final)                                                                              |
 * | `callback-promised` | `transferred`, `outcome-unknown` (the call back's own transfer), `callback-missed`, `callback-failed` |
 * | `callback-missed`   | nothing (final)                                                                              |
 * | `callback-failed`   | nothing (final)                                                                              |
 *
 * So: `transferred` and `outcome-unknown` never go back to `pending-transfer` or `not-transferred`; nothing
 * returns to `waiting-in-line`; call back states only move forward; the same status twice is no move.
 * Upserting a note is the move to `pending-transfer`: it writes an existing note afresh exactly when this
 * rule allows that move (today: from `not-transferred` only), and otherwise returns it unchanged.
 */
export function canMoveNote(from: TransferNoteStatus, to: TransferNoteStatus): boolean {
  return NOTE_MOVES[from].includes(to);
}

/** The statuses a note may be in for `to` to be written: the condition of an atomic update (SQL, the HTTP contract). */
export function noteStatusesMovableTo(to: TransferNoteStatus): TransferNoteStatus[] {
  return TRANSFER_NOTE_STATUSES.filter((from) => canMoveNote(from, to));
}

/**
 * A status as a CRM reports it, read as the nearest one Switchboard knows: a CRM built to an older or newer
 * contract, or a hand-edited note, never stops an operator from seeing the note. Exact names first, then
 * spelling variants (`Transferred`, `not_transferred`), the one status a word begins (`pending`), the
 * closest by edit distance; a word close to none is `outcome-unknown`, which is then all Switchboard knows.
 */
export function readNoteStatus(reported: string): TransferNoteStatus {
  const exact = TRANSFER_NOTE_STATUSES.find((status) => status === reported);
  if (exact) return exact;
  const word = reported.toLowerCase().replace(/[^a-z0-9]/g, '');
  // A word, not a letter or two: `t` says nothing about a transfer.
  const begun = TRANSFER_NOTE_STATUSES.filter((status) => word.length >= 4 && status.replace(/-/g, '').startsWith(word));
  if (begun.length === 1) return begun[0]!;
  return (nearest(reported, TRANSFER_NOTE_STATUSES) as TransferNoteStatus | undefined) ?? 'outcome-unknown';
}

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
 * own): one note per transfer, written afresh only once it was marked not transferred, statuses changed as
 * {@link canMoveNote} allows.
 */
export interface TransferNotes {
  upsert(note: TransferNote): Promise<{ noteId: string }>;
  setStatus(noteId: string, status: TransferNoteStatus, statusReason: string | null): Promise<NoteStatusChange>;
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
 * What marking a note did: `changed: false` when the note has that status already, the move is refused by
 * {@link canMoveNote}, or there is no such note. It describes this call only: a retry of a mark that was
 * applied (its answer lost) finds the status there and answers false, so never branch on it for correctness.
 */
export interface NoteStatusChange {
  changed: boolean;
}

/**
 * The narrow CRM surface the activities need (`enrichCustomer`, `postSummary`, `markSummary`, `markSummaryNotTransferred`).
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
  /**
   * The one way a note's status changes: applies {@link canMoveNote}, so a refused or repeated move is not an
   * error but `{ changed: false }`, and compensations may run it again safely.
   */
  updateNoteStatus(noteId: string, status: TransferNoteStatus, statusReason: string | null): Promise<NoteStatusChange>;
}

export const CRM_KINDS = ['demo', 'postgres', 'http', 'hubspot'] as const;
export type CrmKind = (typeof CRM_KINDS)[number];

/**
 * The CRM_URL schemes each adapter serves (the demo CRM serves an unset CRM_URL). Here rather than beside the
 * adapters, so the configuration schema can check CRM_URL without importing what opens CRMs (which needs it).
 */
export const CRM_SCHEMES: Readonly<Record<CrmKind, readonly string[]>> = {
  demo: [],
  postgres: ['postgres:', 'postgresql:'],
  http: ['http:', 'https:'],
  hubspot: ['hubspot:'],
};

/** Every scheme CRM_URL accepts, for its error message. */
export const CRM_URL_SCHEMES: readonly string[] = Object.values(CRM_SCHEMES).flat();

/** The adapter kind for a CRM_URL scheme (`postgres:`), or undefined when no adapter serves it. */
export function crmKindForScheme(scheme: string): CrmKind | undefined {
  return CRM_KINDS.find((kind) => CRM_SCHEMES[kind].includes(scheme));
}

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

/**
 * How people read each status, on the CLI and in the status line of notes stored as text (HubSpot), which is
 * parsed back with {@link parseNoteStatusLine}: no label contains a parenthesis, and none is another with a
 * reason after it. Capitals mark what someone must look at. Never change a label: old notes carry it.
 */
const STATUS_LABEL: Record<TransferNoteStatus, string> = {
  'pending-transfer': 'pending transfer',
  'waiting-in-line': 'caller waiting in line',
  transferred: 'transferred',
  'not-transferred': 'NOT TRANSFERRED',
  'outcome-unknown': 'OUTCOME UNKNOWN',
  abandoned: 'caller hung up while waiting',
  'callback-promised': 'callback promised',
  'callback-missed': 'CALLBACK MISSED',
  'callback-failed': 'CALLBACK FAILED',
};

/** A note's status as people read it: "pending transfer", "NOT TRANSFERRED (transfer not completed)". */
export function describeNoteStatus(status: TransferNoteStatus, statusReason?: string | null): string {
  return `${STATUS_LABEL[status]}${statusReason ? ` (${statusReason})` : ''}`;
}

const STATUS_LINE_PREFIX = 'Status: ';

/** The status line every adapter shows above a summary it stores as text. */
export function noteStatusLine(status: TransferNoteStatus, statusReason?: string | null): string {
  return `${STATUS_LINE_PREFIX}${describeNoteStatus(status, statusReason)}`;
}

/** Whether a line of a note stored as text is its status line. */
export function isNoteStatusLine(line: string): boolean {
  return line.startsWith(STATUS_LINE_PREFIX);
}

/**
 * A status line back into its status and reason, for every label a Switchboard version ever wrote. A label
 * edited by hand is read as the nearest one ({@link readNoteStatus}); a note without a status line is pending.
 */
export function parseNoteStatusLine(line: string | undefined): { status: TransferNoteStatus; statusReason: string | null } {
  if (line === undefined || !isNoteStatusLine(line)) return { status: 'pending-transfer', statusReason: null };
  const [, label = '', reason] = /^(.*?)(?: \((.*)\))?$/.exec(line.slice(STATUS_LINE_PREFIX.length).trim()) ?? [];
  const labelled = (text: string | undefined) => TRANSFER_NOTE_STATUSES.find((candidate) => STATUS_LABEL[candidate] === text);
  const status = labelled(label) ?? labelled(nearest(label, Object.values(STATUS_LABEL))) ?? readNoteStatus(label);
  return { status, statusReason: reason || null };
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
