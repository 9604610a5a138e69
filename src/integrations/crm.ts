import type { ContactCenter, Customer } from '../config/contact-center';
import { ANONYMOUS_CUSTOMER } from '../contracts';
import type { CustomerProfile } from '../contracts';

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

/** The CRM record as routing reads it; null (not found) becomes the anonymous profile. */
export function toCustomerProfile(customer: Customer | null): CustomerProfile {
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

/** The narrow CRM surface the activities need; the demo CRM and any real adapter implement it. */
export interface Crm {
  findCustomer(query: { customerId?: string; phone?: string }): Promise<Customer | null>;
  /** Creates the note for `note.transferId`, or returns the existing one. */
  upsertTransferNote(note: TransferNote): Promise<{ noteId: string }>;
  updateNoteStatus(noteId: string, status: TransferNote['status'], statusReason: string): Promise<void>;
}

/** The embedded demo CRM: customers from the routing configuration, notes in memory. */
export class DemoCrm implements Crm {
  readonly notes = new Map<string, TransferNote & { noteId: string }>();

  constructor(private readonly contactCenter: Pick<ContactCenter, 'customers'>) {}

  async findCustomer(query: { customerId?: string; phone?: string }): Promise<Customer | null> {
    const customers = this.contactCenter.customers;
    if (query.customerId) {
      const byId = customers.find((customer) => customer.id === query.customerId);
      if (byId) return byId;
    }
    if (query.phone) return customers.find((customer) => customer.phone === query.phone) ?? null;
    return null;
  }

  async upsertTransferNote(note: TransferNote): Promise<{ noteId: string }> {
    const noteId = `note-${note.transferId}`;
    if (!this.notes.has(noteId)) this.notes.set(noteId, { ...note, noteId });
    return { noteId };
  }

  async updateNoteStatus(noteId: string, status: TransferNote['status'], statusReason: string): Promise<void> {
    const note = this.notes.get(noteId);
    if (note) this.notes.set(noteId, { ...note, status, statusReason });
  }
}
