import type { NoteStatusChange, StoredTransferNote, TransferNote, TransferNoteStatus, TransferNotes } from './crm';
import { noteStatusesMovableTo, readNoteStatus, renderTransferNote } from './crm';

/**
 * The little of a PostgreSQL driver the SQL-backed CRMs use. A `pg` pool and an embedded PGlite both fit,
 * so the PostgreSQL adapter and the demo CRM's embedded store share the same statements.
 */
export interface SqlClient {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[]; fields: { name: string }[] }>;
}

/** One connection for a transaction (migrations, read-only checks) and a multi-statement script runner. */
export interface SqlDatabase extends SqlClient {
  withSession<T>(work: (session: SqlClient & { exec(script: string): Promise<void> }) => Promise<T>): Promise<T>;
}

export const NOTES_TABLE = 'switchboard_transfer_notes';
export const CUSTOMERS_TABLE = 'switchboard_customers';
export const MIGRATIONS_TABLE = 'switchboard_schema_migrations';

/**
 * Switchboard's own tables, one versioned step each. Append, never edit: a database that ran version N
 * runs only the steps after it. `npm run db:migrate` (and the embedded store, on open) applies them.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'customers and transfer notes',
    sql: `
      CREATE TABLE ${CUSTOMERS_TABLE} (
        id text PRIMARY KEY,
        name text NOT NULL,
        phone text UNIQUE CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$'),
        tier text NOT NULL DEFAULT 'standard' CHECK (tier IN ('standard', 'premium', 'enterprise')),
        language text,
        office text,
        last_agent_id text,
        escalations_90d integer NOT NULL DEFAULT 0 CHECK (escalations_90d >= 0)
      );
      CREATE TABLE ${NOTES_TABLE} (
        note_id text PRIMARY KEY DEFAULT gen_random_uuid()::text,
        transfer_id text NOT NULL UNIQUE,
        customer_id text,
        department text,
        agent_id text,
        reason text,
        urgency text NOT NULL,
        caller_words text,
        routing jsonb,
        summary text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending-transfer', 'not-transferred')),
        status_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ${NOTES_TABLE}_customer_idx ON ${NOTES_TABLE} (customer_id);
    `,
  },
  {
    version: 2,
    name: 'transfer note statuses',
    // The list as it stood when this step was written (TRANSFER_NOTE_STATUSES): a step is history, so a later
    // status is a later step. PostgreSQL named version 1's column constraint <table>_status_check.
    sql: `
      ALTER TABLE ${NOTES_TABLE} DROP CONSTRAINT IF EXISTS ${NOTES_TABLE}_status_check;
      ALTER TABLE ${NOTES_TABLE} ADD CONSTRAINT ${NOTES_TABLE}_status_check CHECK (status IN (
        'pending-transfer', 'waiting-in-line', 'transferred', 'not-transferred', 'outcome-unknown', 'abandoned',
        'callback-promised', 'callback-missed', 'callback-failed'
      ));
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Any number, as long as every Switchboard process agrees: serialises concurrent migrations. */
const MIGRATION_LOCK = 727_274_201;

/**
 * Applies the migrations this database has not run, in one transaction under an advisory lock, so two
 * processes migrating at once apply each step once. Running it again changes nothing. `through` stops at an
 * earlier version (tests build a database as an older Switchboard left it).
 */
export async function migrate(db: SqlDatabase, options: { through?: number } = {}): Promise<{ applied: number[]; version: number }> {
  const through = options.through ?? LATEST_SCHEMA_VERSION;
  return db.withSession(async (session) => {
    await session.exec('BEGIN');
    try {
      await session.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await session.exec(
        `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const done = new Set(
        (await session.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE}`)).rows.map((row) => Number(row.version)),
      );
      const applied: number[] = [];
      for (const migration of MIGRATIONS) {
        if (done.has(migration.version) || migration.version > through) continue;
        await session.exec(migration.sql);
        await session.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
        applied.push(migration.version);
      }
      await session.exec('COMMIT');
      return { applied, version: Math.max(0, ...done, ...applied) };
    } catch (error) {
      await session.exec('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

/** The schema version this database is at; 0 before the first migration. */
export async function schemaVersion(db: SqlClient): Promise<number> {
  const exists = await db.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [MIGRATIONS_TABLE]);
  if (!exists.rows[0]?.present) return 0;
  const row = (await db.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${MIGRATIONS_TABLE}`)).rows[0];
  return Number(row?.version ?? 0);
}

interface NoteRow {
  note_id: string;
  transfer_id: string;
  status: string;
  status_reason: string | null;
  summary: string;
}

/** Transfer notes in {@link NOTES_TABLE}: the PostgreSQL adapter's and the demo CRM's embedded store's. */
export class SqlTransferNotes implements TransferNotes {
  constructor(private readonly db: SqlClient) {}

  async upsert(note: TransferNote): Promise<{ noteId: string }> {
    // One statement: concurrent retries of the same transfer meet on the unique transfer_id. A note that may
    // move back to pending (canMoveNote: a not-transferred one) is written afresh; any other is left as it is
    // (the WHERE fails and nothing is returned).
    const written = await this.db.query<{ note_id: string }>(
      `INSERT INTO ${NOTES_TABLE} AS note
         (transfer_id, customer_id, department, agent_id, reason, urgency, caller_words, routing, summary, status, status_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending-transfer', NULL)
       ON CONFLICT (transfer_id) DO UPDATE SET
         customer_id = EXCLUDED.customer_id, department = EXCLUDED.department, agent_id = EXCLUDED.agent_id,
         reason = EXCLUDED.reason, urgency = EXCLUDED.urgency, caller_words = EXCLUDED.caller_words,
         routing = EXCLUDED.routing, summary = EXCLUDED.summary, status = 'pending-transfer', status_reason = NULL,
         updated_at = now()
       WHERE note.status = ANY($10::text[])
       RETURNING note_id`,
      [
        note.transferId,
        note.customerId,
        note.department,
        note.agentId,
        note.reason,
        note.urgency,
        note.callerWords,
        note.routing ? JSON.stringify(note.routing) : null,
        renderTransferNote(note),
        noteStatusesMovableTo('pending-transfer'),
      ],
    );
    const noteId = written.rows[0]?.note_id ?? (await this.find(note.transferId))?.noteId;
    if (!noteId) throw new Error(`the note of transfer ${note.transferId} was neither written nor found`);
    return { noteId };
  }

  /** One conditional statement, so two marks racing each other are both judged against what the other wrote. */
  async setStatus(noteId: string, status: TransferNoteStatus, statusReason: string | null): Promise<NoteStatusChange> {
    const updated = await this.db.query(
      `UPDATE ${NOTES_TABLE} SET status = $2, status_reason = $3, updated_at = now() WHERE note_id = $1 AND status = ANY($4::text[]) RETURNING note_id`,
      [noteId, status, statusReason, noteStatusesMovableTo(status)],
    );
    return { changed: updated.rows.length > 0 };
  }

  async find(transferId: string): Promise<StoredTransferNote | null> {
    const row = (
      await this.db.query<NoteRow>(`SELECT note_id, transfer_id, status, status_reason, summary FROM ${NOTES_TABLE} WHERE transfer_id = $1`, [transferId])
    ).rows[0];
    // Read, not trusted: a newer Switchboard's migration may allow a status this one does not know.
    return row ? { noteId: row.note_id, transferId: row.transfer_id, status: readNoteStatus(row.status), statusReason: row.status_reason, text: row.summary } : null;
  }
}
