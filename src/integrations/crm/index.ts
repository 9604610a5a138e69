/**
 * The CRM: one interface ({@link Crm} for the activities, {@link CrmAdapter} for processes and operators),
 * one adapter per file, chosen by CRM_URL in `create-crm.ts`. Adapters with heavy clients (pg, HubSpot's
 * SDK) are loaded only when configured, so importing this stays cheap.
 */
export {
  CRM_KINDS,
  CrmConfigError,
  CrmError,
  TRANSFER_NOTE_STATUSES,
  canMoveNote,
  describeNoteStatus,
  noteStatusLine,
  parseCrmCustomer,
  readNoteStatus,
  renderTransferNote,
  toCustomerProfile,
} from './crm';
export type { Crm, CrmAdapter, CrmCustomer, CrmKind, NoteStatusChange, StoredTransferNote, TransferNote, TransferNoteStatus } from './crm';
export { DemoCrm } from './demo-crm';
export type { DemoNoteStore } from './demo-crm';
