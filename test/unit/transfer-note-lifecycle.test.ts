import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createCrmActivities } from '../../src/activities/crm';
import { FailureType } from '../../src/contracts';
import { CrmError, DemoCrm, TRANSFER_NOTE_STATUSES, canMoveNote, describeNoteStatus, noteStatusLine, readNoteStatus } from '../../src/integrations/crm';
import type { Crm } from '../../src/integrations/crm';
import { noteStatusesMovableTo, parseNoteStatusLine } from '../../src/integrations/crm/crm';
import { transferNote } from '../support/note-lifecycle';

const ROOT = path.resolve(__dirname, '../..');

/** The lifecycle tables as written for people: `| \`from\` | \`to\`, \`to\` (why) |` rows, statuses in backticks. */
function writtenMoves(text: string): Map<string, string[]> {
  const moves = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const row = /^\s*(?:\*\s*)?\|\s*`([a-z-]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (!row) continue;
    moves.set(row[1]!, [...row[2]!.matchAll(/`([a-z-]+)`/g)].map((match) => match[1]!).sort());
  }
  return moves;
}

function ruleMoves(): Map<string, string[]> {
  return new Map(TRANSFER_NOTE_STATUSES.map((from) => [from, TRANSFER_NOTE_STATUSES.filter((to) => canMoveNote(from, to)).sort()]));
}

describe('the note lifecycle (canMoveNote)', () => {
  it('never takes a transferred or outcome-unknown note back to pending or not transferred', () => {
    for (const from of ['transferred', 'outcome-unknown'] as const) {
      expect(canMoveNote(from, 'pending-transfer')).toBe(false);
      expect(canMoveNote(from, 'not-transferred')).toBe(false);
    }
    expect(canMoveNote('outcome-unknown', 'transferred')).toBe(true);
    expect(TRANSFER_NOTE_STATUSES.filter((to) => canMoveNote('transferred', to))).toEqual([]);
  });

  it('lets an operator’s retry write a not-transferred note afresh, and only that note', () => {
    expect(noteStatusesMovableTo('pending-transfer')).toEqual(['not-transferred']);
  });

  it('lets the compensation mark a pending or waiting note not transferred, and nothing later', () => {
    expect(noteStatusesMovableTo('not-transferred')).toEqual(['pending-transfer', 'waiting-in-line']);
  });

  it('moves callback states forward only', () => {
    expect(canMoveNote('callback-promised', 'callback-missed')).toBe(true);
    expect(canMoveNote('callback-promised', 'callback-failed')).toBe(true);
    for (const final of ['callback-missed', 'callback-failed'] as const) {
      expect(TRANSFER_NOTE_STATUSES.filter((to) => canMoveNote(final, to))).toEqual([]);
    }
    expect(TRANSFER_NOTE_STATUSES.filter((from) => canMoveNote(from, 'callback-promised'))).toEqual(['pending-transfer', 'waiting-in-line', 'not-transferred']);
    expect(TRANSFER_NOTE_STATUSES.filter((from) => canMoveNote(from, 'waiting-in-line'))).toEqual(['pending-transfer']);
  });

  it('takes the same status twice as no move, for every status', () => {
    for (const status of TRANSFER_NOTE_STATUSES) expect(canMoveNote(status, status)).toBe(false);
  });

  it('is the table written in docs/crm-http-contract.md and in canMoveNote’s own comment, move for move', () => {
    const rule = ruleMoves();
    expect(writtenMoves(readFileSync(path.join(ROOT, 'docs/crm-http-contract.md'), 'utf8').split('### The lifecycle')[1]!)).toEqual(rule);
    const source = readFileSync(path.join(ROOT, 'src/integrations/crm/crm.ts'), 'utf8');
    expect(writtenMoves(source.slice(source.indexOf('| from'), source.indexOf('export function canMoveNote')))).toEqual(rule);
  });
});

describe('note statuses as people read them', () => {
  it('has a label for every status, the ones someone must look at in capitals', () => {
    expect(Object.fromEntries(TRANSFER_NOTE_STATUSES.map((status) => [status, describeNoteStatus(status)]))).toEqual({
      'pending-transfer': 'pending transfer',
      'waiting-in-line': 'caller waiting in line',
      transferred: 'transferred',
      'not-transferred': 'NOT TRANSFERRED',
      'outcome-unknown': 'OUTCOME UNKNOWN',
      abandoned: 'caller hung up while waiting',
      'callback-promised': 'callback promised',
      'callback-missed': 'CALLBACK MISSED',
      'callback-failed': 'CALLBACK FAILED',
    });
    expect(describeNoteStatus('outcome-unknown', 'call-control answer lost')).toBe('OUTCOME UNKNOWN (call-control answer lost)');
  });

  it('parses every status line back, with or without a reason, parentheses in the reason included', () => {
    for (const status of TRANSFER_NOTE_STATUSES) {
      expect(parseNoteStatusLine(noteStatusLine(status))).toEqual({ status, statusReason: null });
      expect(parseNoteStatusLine(noteStatusLine(status, 'agent a-ana (billing) did not answer'))).toEqual({ status, statusReason: 'agent a-ana (billing) did not answer' });
    }
  });

  it('parses the lines earlier versions wrote, a missing line as pending, and a hand-edited one as the nearest status', () => {
    expect(parseNoteStatusLine('Status: pending transfer')).toEqual({ status: 'pending-transfer', statusReason: null });
    expect(parseNoteStatusLine('Status: NOT TRANSFERRED (transfer not completed)')).toEqual({ status: 'not-transferred', statusReason: 'transfer not completed' });
    expect(parseNoteStatusLine(undefined)).toEqual({ status: 'pending-transfer', statusReason: null });
    expect(parseNoteStatusLine('Status: Transfered')).toEqual({ status: 'transferred', statusReason: null });
    expect(parseNoteStatusLine('Status: not transferred (by hand)')).toEqual({ status: 'not-transferred', statusReason: 'by hand' });
    expect(parseNoteStatusLine('Status: ???')).toEqual({ status: 'outcome-unknown', statusReason: null });
  });

  it('reads a status a CRM reports as the nearest known one, and a word close to none as outcome unknown', () => {
    for (const status of TRANSFER_NOTE_STATUSES) expect(readNoteStatus(status)).toBe(status);
    expect(readNoteStatus('Transferred')).toBe('transferred');
    expect(readNoteStatus('NOT_TRANSFERRED')).toBe('not-transferred');
    expect(readNoteStatus('pending')).toBe('pending-transfer');
    expect(readNoteStatus('transferred_ok')).toBe('transferred');
    expect(readNoteStatus('t')).toBe('outcome-unknown');
    expect(readNoteStatus('waiting')).toBe('waiting-in-line');
    expect(readNoteStatus('callback-promissed')).toBe('callback-promised');
    expect(readNoteStatus('escalated-to-supervisor')).toBe('outcome-unknown');
    expect(readNoteStatus('')).toBe('outcome-unknown');
  });
});

describe('the markSummary activity', () => {
  it('marks the note with any status and answers whether it changed, ignoring a move the lifecycle refuses', async () => {
    const crm = new DemoCrm({ customers: [] });
    const activities = createCrmActivities({ crm });
    const { noteId } = await crm.upsertTransferNote(transferNote('transfer-1'));

    expect(await activities.markSummary({ noteId, status: 'waiting-in-line' })).toEqual({ changed: true });
    expect(await activities.markSummary({ noteId, status: 'transferred', reason: 'agent a-ana answered' })).toEqual({ changed: true });
    await activities.markSummaryNotTransferred({ noteId, reason: 'late compensation' });
    expect(await activities.markSummary({ noteId, status: 'not-transferred', reason: 'late compensation' })).toEqual({ changed: false });
    expect(await crm.findTransferNote('transfer-1')).toMatchObject({ status: 'transferred', statusReason: 'agent a-ana answered' });
    expect(await activities.markSummary({ noteId: 'note-nobody', status: 'transferred' })).toEqual({ changed: false });
  });

  it('fails as retryable CrmUnavailable when the CRM is down, and as final CrmRejected when it refuses', async () => {
    const failing = (error: CrmError): Crm => ({
      findCustomer: async () => null,
      upsertTransferNote: async () => ({ noteId: 'n-1' }),
      updateNoteStatus: async () => {
        throw error;
      },
    });

    const down = await createCrmActivities({ crm: failing(new CrmError('CRM PATCH /notes/{id} answered 503', true)) })
      .markSummary({ noteId: 'n-1', status: 'transferred' })
      .catch((error: unknown) => error);
    const refused = await createCrmActivities({ crm: failing(new CrmError('CRM PATCH /notes/{id} answered 422', false)) })
      .markSummary({ noteId: 'n-1', status: 'transferred' })
      .catch((error: unknown) => error);

    expect(down).toBeInstanceOf(ApplicationFailure);
    expect(down).toMatchObject({ type: FailureType.CrmUnavailable, nonRetryable: false });
    expect(refused).toMatchObject({ type: FailureType.CrmRejected, nonRetryable: true });
  });
});
