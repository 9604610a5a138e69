import { TRANSFER_NOTE_STATUSES, canMoveNote } from '../../src/integrations/crm';
import type { CrmAdapter, TransferNote, TransferNoteStatus } from '../../src/integrations/crm';

type NoteCrm = Pick<CrmAdapter, 'upsertTransferNote' | 'updateNoteStatus' | 'findTransferNote'>;

/** The note `postSummary` writes for a billing transfer to agent a-ana. */
export function transferNote(transferId: string, overrides: Partial<TransferNote> = {}): TransferNote {
  return {
    transferId,
    customerId: 'c-1001',
    department: 'billing',
    agentId: 'a-ana',
    reason: 'question about my invoice',
    urgency: 'medium',
    callerWords: null,
    status: 'pending-transfer',
    ...overrides,
  };
}

/** The shortest way a freshly written note can reach `status`, as canMoveNote allows: the statuses to mark, in order. */
export function pathTo(status: TransferNoteStatus): TransferNoteStatus[] {
  const paths = new Map<TransferNoteStatus, TransferNoteStatus[]>([['pending-transfer', []]]);
  const queue: TransferNoteStatus[] = ['pending-transfer'];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const to of TRANSFER_NOTE_STATUSES) {
      if (paths.has(to) || !canMoveNote(from, to)) continue;
      paths.set(to, [...paths.get(from)!, to]);
      queue.push(to);
    }
  }
  const path = paths.get(status);
  if (!path) throw new Error(`no note can reach ${status}`);
  return path;
}

/**
 * For every status: a new note, marked along its way there (each mark reported as a change), then read back
 * from the CRM with its status and reason. `note()` gives a note of a transfer nobody else uses.
 */
export async function expectEveryStatusToRoundTrip(crm: NoteCrm, note: () => TransferNote): Promise<void> {
  for (const status of TRANSFER_NOTE_STATUSES) {
    const posted = note();
    const { noteId } = await crm.upsertTransferNote(posted);
    for (const step of pathTo(status)) {
      expect({ step, ...(await crm.updateNoteStatus(noteId, step, `marked ${step}`)) }).toEqual({ step, changed: true });
    }
    const reason = status === 'pending-transfer' ? null : `marked ${status}`;
    expect(await crm.findTransferNote(posted.transferId)).toMatchObject({ noteId, transferId: posted.transferId, status, statusReason: reason });
  }
}

/**
 * A transferred note stays transferred: a late compensation, a mark back to pending, the same mark again and a
 * retried post all answer "nothing changed" (no error) and leave status, reason and text as they were.
 */
export async function expectRefusedMovesIgnored(crm: NoteCrm, note: () => TransferNote): Promise<void> {
  const posted = note();
  const { noteId } = await crm.upsertTransferNote(posted);
  expect(await crm.updateNoteStatus(noteId, 'transferred', 'agent a-ana answered')).toEqual({ changed: true });
  const before = await crm.findTransferNote(posted.transferId);

  expect(await crm.updateNoteStatus(noteId, 'not-transferred', 'transfer not completed')).toEqual({ changed: false });
  expect(await crm.updateNoteStatus(noteId, 'pending-transfer', 'again')).toEqual({ changed: false });
  expect(await crm.updateNoteStatus(noteId, 'transferred', 'a second time')).toEqual({ changed: false });
  expect(await crm.upsertTransferNote({ ...posted, agentId: 'a-other' })).toEqual({ noteId });

  expect(before).toMatchObject({ status: 'transferred', statusReason: 'agent a-ana answered' });
  expect(await crm.findTransferNote(posted.transferId)).toEqual(before);

  // Callback states only move forward.
  const promised = note();
  const { noteId: promisedId } = await crm.upsertTransferNote(promised);
  expect(await crm.updateNoteStatus(promisedId, 'callback-promised', null)).toEqual({ changed: true });
  expect(await crm.updateNoteStatus(promisedId, 'callback-missed', 'no answer at 14:00')).toEqual({ changed: true });
  expect(await crm.updateNoteStatus(promisedId, 'callback-promised', null)).toEqual({ changed: false });
  expect(await crm.updateNoteStatus(promisedId, 'callback-failed', null)).toEqual({ changed: false });
  expect(await crm.findTransferNote(promised.transferId)).toMatchObject({ status: 'callback-missed', statusReason: 'no answer at 14:00' });
}
