import type { ContactCenter } from '../../config/contact-center';
import type { CrmAdapter, CrmCustomer, StoredTransferNote, TransferNote } from './crm';
import { renderTransferNote } from './crm';
import type { SqlTransferNotes } from './sql';

/** Where the demo CRM keeps its notes when they must outlive the process (the embedded PGlite store). */
export interface DemoNoteStore {
  notes: SqlTransferNotes;
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The demo CRM: customers from the routing configuration; notes in an embedded database under DATA_DIR
 * (`npm start`), or in this process's memory when no store is given (tests, and processes run apart
 * without CRM_URL). The methods live on the prototype so the chaos fault `crm-down` can replace them.
 */
export class DemoCrm implements CrmAdapter {
  readonly kind = 'demo' as const;
  /** The notes kept in memory when there is no store; tests read them. */
  readonly notes = new Map<string, TransferNote & { noteId: string }>();

  constructor(
    private readonly contactCenter: Pick<ContactCenter, 'customers'>,
    private readonly store?: DemoNoteStore,
  ) {}

  async findCustomer(query: { customerId?: string; phone?: string }): Promise<CrmCustomer | null> {
    const customers = this.contactCenter.customers;
    if (query.customerId) {
      const byId = customers.find((customer) => customer.id === query.customerId);
      if (byId) return byId;
    }
    if (query.phone) return customers.find((customer) => customer.phone === query.phone) ?? null;
    return null;
  }

  async upsertTransferNote(note: TransferNote): Promise<{ noteId: string }> {
    if (this.store) return this.store.notes.upsert(note);
    const noteId = `note-${note.transferId}`;
    const existing = this.notes.get(noteId);
    if (!existing || existing.status === 'not-transferred') this.notes.set(noteId, { ...note, status: 'pending-transfer', noteId });
    return { noteId };
  }

  async updateNoteStatus(noteId: string, status: TransferNote['status'], statusReason: string): Promise<void> {
    if (this.store) return this.store.notes.setStatus(noteId, status, statusReason);
    const note = this.notes.get(noteId);
    if (note) this.notes.set(noteId, { ...note, status, statusReason });
  }

  async findTransferNote(transferId: string): Promise<StoredTransferNote | null> {
    if (this.store) return this.store.notes.find(transferId);
    const note = this.notes.get(`note-${transferId}`);
    if (!note) return null;
    return { noteId: note.noteId, transferId, status: note.status, statusReason: note.statusReason ?? null, text: renderTransferNote(note) };
  }

  async check(): Promise<void> {
    await this.store?.check();
  }

  async validate(): Promise<void> {
    await this.check();
  }

  async close(): Promise<void> {
    await this.store?.close();
  }
}
