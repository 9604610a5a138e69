/**
 * The demo CRM as `npm start` opens it (`openCrm`, notes embedded under DATA_DIR), in a process of its own, so
 * tests can restart it for real. Prints one JSON line. Commands (after `<command> <dataDir>`):
 * - `write <transferId>`, `read <transferId>`: one note;
 * - `mark <transferId> <status> [reason]`: marks the note of that transfer;
 * - `walk <prefix>`: for every status, a note `<prefix>-<status>` marked along its way there;
 * - `read-all <prefix>`: the notes `walk` wrote;
 * - `write-earlier <transferId>`: a store as the previous version left it (schema version 1) holding one note;
 * - `hold`: prints once serving, keeps the store open until SIGTERM.
 */
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { loadContactCenter } from '../../src/config/contact-center';
import { DEFAULT_ROUTING_CONFIG, loadConfig } from '../../src/config/env';
import { openCrm } from '../../src/integrations/crm/create-crm';
import { TRANSFER_NOTE_STATUSES } from '../../src/integrations/crm';
import type { CrmAdapter, TransferNoteStatus } from '../../src/integrations/crm';
import { SqlTransferNotes, migrate } from '../../src/integrations/crm/sql';
import { pathTo, transferNote } from './note-lifecycle';

const print = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);

/** Where the previous version kept the demo store under DATA_DIR, migrated through version 1 only. */
async function writeEarlier(dataDir: string, transferId: string): Promise<void> {
  const db = await PGlite.create({ dataDir: path.join(dataDir, 'crm-store') });
  const database = {
    query: <Row>(text: string, params?: unknown[]) => db.query<Row>(text, params),
    withSession: <T>(work: (session: { query: typeof db.query; exec(script: string): Promise<void> }) => Promise<T>) =>
      work({ query: (text, params) => db.query(text, params), exec: async (script) => void (await db.exec(script)) }),
  };
  await migrate(database, { through: 1 });
  print(await new SqlTransferNotes(database).upsert(transferNote(transferId)));
  await db.close();
}

async function main(): Promise<void> {
  const [command, dataDir, ...args] = process.argv.slice(2);
  if (command === 'write-earlier') return writeEarlier(dataDir!, args[0]!);
  const config = loadConfig({ DATA_DIR: dataDir! });
  let crm: CrmAdapter;
  try {
    crm = await openCrm(config, { contactCenter: loadContactCenter(DEFAULT_ROUTING_CONFIG), demoNotes: 'embedded' });
  } catch (error) {
    print({ error: (error as Error).message });
    process.exit(1);
  }
  if (command === 'write') {
    print(await crm.upsertTransferNote(transferNote(args[0]!)));
  } else if (command === 'read') {
    print({ note: await crm.findTransferNote(args[0]!) });
  } else if (command === 'mark') {
    const found = await crm.findTransferNote(args[0]!);
    print(await crm.updateNoteStatus(found!.noteId, args[1] as TransferNoteStatus, args[2] ?? null));
  } else if (command === 'walk') {
    const changes: Record<string, boolean[]> = {};
    for (const status of TRANSFER_NOTE_STATUSES) {
      const { noteId } = await crm.upsertTransferNote(transferNote(`${args[0]}-${status}`));
      changes[status] = [];
      for (const step of pathTo(status)) changes[status].push((await crm.updateNoteStatus(noteId, step, `marked ${step}`)).changed);
    }
    print({ changes });
  } else if (command === 'read-all') {
    print({ notes: await Promise.all(TRANSFER_NOTE_STATUSES.map((status) => crm.findTransferNote(`${args[0]}-${status}`))) });
  } else if (command === 'hold') {
    print({ holding: true });
    await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  }
  await crm.close();
}

void main();
