import type { ContactCenter } from '../../config/contact-center';
import type { CrmAdapter, CrmCustomer, NoteStatusChange, StoredTransferNote, TransferNote, TransferNoteStatus, TransferNotes } from './crm';
import { canMoveNote, renderTransferNote } from './crm';

/** Where the demo CRM keeps its notes: the embedded PGlite store when they must outlive the process, else memory. */
export interface DemoNoteStore {
  notes: TransferNotes;
  check(): Promise<void>;
  close(): Promise<void>;
}

type MemoryNote = TransferNote & { noteId: string };

/** Notes in this process's memory, with the semantics of the SQL store (tests, processes run apart without CRM_URL). */
class MemoryTransferNotes implements TransferNotes {
  constructor(private readonly byId: Map<string, MemoryNote>) {}

  async upsert(note: TransferNote): Promise<{ noteId: string }> {
    const noteId = `note-${note.transferId}`;
    const existing = this.byId.get(noteId);
    if (!existing || canMoveNote(existing.status, 'pending-transfer')) {
      this.byId.set(noteId, { ...note, status: 'pending-transfer', noteId });
    }
    return { noteId };
  }

  async setStatus(noteId: string, status: TransferNoteStatus, statusReason: string | null): Promise<NoteStatusChange> {
    const note = this.byId.get(noteId);
    if (!note || !canMoveNote(note.status, status)) return { changed: false };
    this.byId.set(noteId, { ...note, status, statusReason: statusReason ?? undefined });
    return { changed: true };
  }

  async find(transferId: string): Promise<StoredTransferNote | null> {
    const note = this.byId.get(`note-${transferId}`);
    if (!note) return null;
    return { noteId: note.noteId, transferId, status: note.status, statusReason: note.statusReason ?? null, text: renderTransferNote(note) };
  }
}

/**
 * The demo CRM: customers from the routing configuration; notes in an embedded database under DATA_DIR
 * (`npm start`), or in this process's memory when no store is given (tests, and processes run apart
 * without CRM_URL). The methods live on the prototype so the chaos fault `crm-down` can replace them.
 */
export class DemoCrm implements CrmAdapter {
  readonly kind = 'demo' as const;
  /** The notes kept in memory when there is no store; tests read them. */
  readonly notes = new Map<string, MemoryNote>();
  private readonly store: DemoNoteStore;

  constructor(
    private readonly contactCenter: Pick<ContactCenter, 'customers'>,
    store?: DemoNoteStore,
  ) {
    this.store = store ?? { notes: new MemoryTransferNotes(this.notes), check: async () => undefined, close: async () => undefined };
  }

  async findCustomer(query: { customerId?: string; phone?: string }): Promise<CrmCustomer | null> {
    const customers = this.contactCenter.customers;
    if (query.customerId) {
      const byId = customers.find((customer) => customer.id === query.customerId);
      if (byId) return byId;
    }
    if (query.phone) return customers.find((customer) => customer.phone === query.phone) ?? null;
    return null;
  }

  upsertTransferNote(note: TransferNote): Promise<{ noteId: string }> {
    return this.store.notes.upsert(note);
  }

  updateNoteStatus(noteId: string, status: TransferNoteStatus, statusReason: string | null): Promise<NoteStatusChange> {
    return this.store.notes.setStatus(noteId, status, statusReason);
  }

  findTransferNote(transferId: string): Promise<StoredTransferNote | null> {
    return this.store.notes.find(transferId);
  }

  check(): Promise<void> {
    return this.store.check();
  }

  validate(): Promise<void> {
    return this.check();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
