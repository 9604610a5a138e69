import { Pool } from 'pg';
import type { PoolClient } from 'pg';
import { nearest } from '../../vapi/suggest';
import { withBoundedRetries } from './bounded-retry';
import type { CrmAdapter, CrmCustomer, NoteStatusChange, StoredTransferNote, TransferNote, TransferNoteStatus } from './crm';
import { CrmConfigError, CrmError, parseCrmCustomer } from './crm';
import type { SqlDatabase } from './sql';
import { CUSTOMERS_TABLE, LATEST_SCHEMA_VERSION, MIGRATIONS, SqlTransferNotes, migrate, schemaVersion } from './sql';

export interface PostgresCrmSettings {
  /** CRM_URL: `postgres://user:password@host:5432/database` (credentials never logged or echoed). */
  url: string;
  /** Per statement and per connection attempt. */
  timeoutMs: number;
  /** CRM_CUSTOMER_QUERY: the team's own read-only customer query; unset, Switchboard's own table. */
  customerQuery?: string | undefined;
  poolSize?: number;
  /** An idle connection that broke (the server restarted); the pool replaces it. */
  onConnectionError?: (error: Error) => void;
}

/** Columns a customer query returns, and the profile field each one fills. */
const CUSTOMER_COLUMNS = {
  id: 'id',
  name: 'name',
  tier: 'tier',
  phone: 'phone',
  language: 'language',
  office: 'office',
  last_agent_id: 'lastAgent',
  escalations_90d: 'escalations90d',
} as const;
type CustomerColumn = keyof typeof CUSTOMER_COLUMNS;
const REQUIRED_COLUMNS: readonly CustomerColumn[] = ['id', 'name', 'tier'];

const OWN_TABLE_QUERY = `
  SELECT id, name, phone, tier, language, office, last_agent_id, escalations_90d
  FROM ${CUSTOMERS_TABLE}
  WHERE id = $1::text OR phone = $2::text
  ORDER BY (id = $1::text) IS TRUE DESC
  LIMIT 1`;

/** A customer query with its named parameters turned into positional ones, in the order they appear. */
export interface CompiledCustomerQuery {
  text: string;
  params: ('customerId' | 'phone')[];
}

const NAMED_PARAMETER = /(?<!:):(customerId|phone)\b/g;

/**
 * Turns CRM_CUSTOMER_QUERY into a statement: `:customerId` and `:phone` become text parameters (`$1::text`),
 * never spliced values, and the query is wrapped as a subquery, which PostgreSQL allows only for reads
 * (no INSERT, UPDATE, DELETE or data-modifying WITH). The first row wins.
 */
export function compileCustomerQuery(query: string): CompiledCustomerQuery {
  const trimmed = query.trim().replace(/;\s*$/, '');
  const refusal = notOneSelect(trimmed);
  if (refusal) {
    throw new CrmConfigError(
      `CRM_CUSTOMER_QUERY: ${refusal}; expected one read-only SELECT (WITH … SELECT too) with :phone and/or :customerId, e.g. "SELECT … FROM accounts WHERE mobile = :phone"`,
    );
  }
  if (/\$\d/.test(trimmed)) {
    throw new CrmConfigError('CRM_CUSTOMER_QUERY: use the named parameters :customerId and :phone, not $1, $2');
  }
  const params: CompiledCustomerQuery['params'] = [];
  const text = trimmed.replace(NAMED_PARAMETER, (_, name: 'customerId' | 'phone') => {
    if (!params.includes(name)) params.push(name);
    return `$${params.indexOf(name) + 1}::text`;
  });
  if (params.length === 0) {
    throw new CrmConfigError(
      'CRM_CUSTOMER_QUERY: the query must use :phone (the caller’s E.164 number) and/or :customerId, e.g. "SELECT … FROM accounts WHERE msisdn = :phone"',
    );
  }
  return { text: `SELECT * FROM (${text}) AS customer LIMIT 1`, params };
}

/** The query with its comments and quoted text blanked, so only its own keywords and semicolons are left. */
function sqlSkeleton(query: string): string {
  return query.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\w*)\$[\s\S]*?\$\1\$/g, (match) => (match.startsWith('-') || match.startsWith('/') ? ' ' : "''"));
}

/**
 * Why the query is not one read-only SELECT (null when it is): the customer query runs inside every transfer,
 * so a write or a second statement is refused at start with what was found, rather than left to fail later.
 */
function notOneSelect(query: string): string | null {
  const skeleton = sqlSkeleton(query);
  if (skeleton.includes(';')) return 'found several statements';
  const first = /^\s*\(*\s*([A-Za-z]+)/.exec(skeleton)?.[1]?.toUpperCase();
  if (!first) return 'found no statement';
  if (first !== 'SELECT' && first !== 'WITH') return `found ${/^[AEIOU]/.test(first) ? 'an' : 'a'} ${first} statement`;
  return null;
}

/** Why a statement failed, as a retryable or final {@link CrmError}: the SQLSTATE, never the message (it can quote values). */
function postgresError(error: unknown, operation: string): CrmError {
  if (error instanceof CrmError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : '';
  const transient =
    (typeof code === 'string' && (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', '40001', '40P01', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'].includes(code))) ||
    /timeout|Connection terminated/i.test(message);
  const cause = typeof code === 'string' ? code : transient ? 'connection failed or timed out' : 'unexpected error';
  return new CrmError(`PostgreSQL ${operation} failed (${cause})`, transient);
}

/** Host and port of CRM_URL for messages; never the user name or password. */
function where(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(CRM_URL)';
  }
}

/**
 * The PostgreSQL adapter (`pg`): customers from Switchboard's own table or the team's CRM_CUSTOMER_QUERY,
 * transfer notes in Switchboard's table, upserted by transfer id. Works against any PostgreSQL speaking the
 * wire protocol (a server, or PGlite behind its socket server in tests).
 */
export class PostgresCrm implements CrmAdapter {
  readonly kind = 'postgres' as const;
  private readonly pool: Pool;
  private readonly notes: SqlTransferNotes;
  private readonly customerQuery: CompiledCustomerQuery | undefined;
  readonly database: SqlDatabase;

  constructor(private readonly settings: PostgresCrmSettings) {
    this.customerQuery = settings.customerQuery ? compileCustomerQuery(settings.customerQuery) : undefined;
    this.pool = new Pool({
      connectionString: settings.url,
      max: settings.poolSize ?? 4,
      connectionTimeoutMillis: settings.timeoutMs,
      // Client-side: gives the connection back even when the server never answers.
      query_timeout: settings.timeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: 'switchboard',
    });
    this.pool.on('error', (error) => settings.onConnectionError?.(error));
    this.database = poolDatabase(this.pool);
    this.notes = new SqlTransferNotes(this.database);
  }

  async findCustomer(query: { customerId?: string; phone?: string }): Promise<CrmCustomer | null> {
    if (!query.customerId && !query.phone) return null;
    const values = { customerId: query.customerId ?? null, phone: query.phone ?? null };
    const [text, params] = this.customerQuery
      ? [this.customerQuery.text, this.customerQuery.params.map((name) => values[name])]
      : [OWN_TABLE_QUERY, [values.customerId, values.phone]];
    const result = await this.run('customer lookup', () => this.pool.query(text, params));
    const row = result.rows[0] as Record<string, unknown> | undefined;
    if (!row) return null;
    const record = Object.fromEntries(Object.entries(CUSTOMER_COLUMNS).map(([column, field]) => [field, row[column]]));
    return parseCrmCustomer(record, this.customerQuery ? 'CRM_CUSTOMER_QUERY' : `the ${CUSTOMERS_TABLE} table`);
  }

  upsertTransferNote(note: TransferNote): Promise<{ noteId: string }> {
    return this.run('note upsert', () => this.notes.upsert(note));
  }

  updateNoteStatus(noteId: string, status: TransferNoteStatus, statusReason: string | null): Promise<NoteStatusChange> {
    return this.run('note status update', () => this.notes.setStatus(noteId, status, statusReason));
  }

  findTransferNote(transferId: string): Promise<StoredTransferNote | null> {
    return this.run('note lookup', () => this.notes.find(transferId));
  }

  async check(): Promise<void> {
    await withBoundedRetries(
      async () => {
        await this.pool.query('SELECT 1').catch((error: unknown) => {
          throw postgresError(error, 'check');
        });
      },
      { operation: 'PostgreSQL check', timeoutMs: this.settings.timeoutMs, maxAttempts: 1 },
    );
  }

  async validate(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === '28P01' || code === '28000') {
        throw new CrmConfigError(`CRM_URL: PostgreSQL at ${where(this.settings.url)} refused the user name or password in CRM_URL; correct them`);
      }
      if (code === '3D000') throw new CrmConfigError(`CRM_URL: the database in CRM_URL does not exist at ${where(this.settings.url)}; create it or correct the name`);
      throw new CrmConfigError(
        `CRM_URL: cannot reach PostgreSQL at ${where(this.settings.url)} (${typeof code === 'string' ? code : 'no answer'}); check the host and port in CRM_URL, or unset CRM_URL to use the demo CRM`,
      );
    }
    const version = await schemaVersion(this.database);
    if (version < LATEST_SCHEMA_VERSION) {
      const missing = MIGRATIONS.filter((migration) => migration.version > version).map((migration) => `${migration.version} ${migration.name}`);
      throw new CrmConfigError(
        `CRM_URL: the database is at Switchboard schema version ${version} of ${LATEST_SCHEMA_VERSION} (missing: ${missing.join(', ')}); run \`npm run db:migrate\` with the same CRM_URL, then start again`,
      );
    }
    if (this.customerQuery) await this.validateCustomerQuery(this.customerQuery);
  }

  /** Runs the query once, read-only and returning no rows, to check it parses and names the columns routing reads. */
  private async validateCustomerQuery(query: CompiledCustomerQuery): Promise<void> {
    const columns = await this.database.withSession(async (session) => {
      await session.exec('BEGIN READ ONLY');
      try {
        const result = await session.query(`SELECT * FROM (${query.text}) AS checked LIMIT 0`, query.params.map(() => null));
        return result.fields.map((field) => field.name);
      } catch (error) {
        // The message is about the operator's own SQL, run with no values: safe to show, and the only useful hint.
        throw new CrmConfigError(`CRM_CUSTOMER_QUERY: PostgreSQL refused the query: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        await session.exec('ROLLBACK').catch(() => undefined);
      }
    });
    const known = Object.keys(CUSTOMER_COLUMNS);
    const problems = [
      ...REQUIRED_COLUMNS.filter((column) => !columns.includes(column)).map((column) => `no column "${column}"`),
      ...columns
        .filter((column) => !known.includes(column))
        .map((column) => {
          const suggestion = nearest(column, known);
          return `unknown column "${column}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
        }),
    ];
    if (problems.length > 0) {
      throw new CrmConfigError(
        `CRM_CUSTOMER_QUERY: ${problems.join('; ')}. Name the columns with AS: id, name, tier (required), phone, language, office, last_agent_id, escalations_90d (optional)`,
      );
    }
  }

  migrate(options: { through?: number } = {}): Promise<{ applied: number[]; version: number }> {
    return migrate(this.database, options);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return withBoundedRetries(
      async () => {
        try {
          return await work();
        } catch (error) {
          throw postgresError(error, operation);
        }
      },
      { operation: `PostgreSQL ${operation}`, timeoutMs: this.settings.timeoutMs },
    );
  }
}

/** A `pg` pool as a {@link SqlDatabase}: statements on any connection, sessions on one checked-out connection. */
function poolDatabase(pool: Pool): SqlDatabase {
  return {
    query: <Row>(text: string, params?: unknown[]) => pool.query(text, params) as unknown as Promise<{ rows: Row[]; fields: { name: string }[] }>,
    async withSession(work) {
      const client: PoolClient = await pool.connect();
      try {
        return await work({
          query: <Row>(text: string, params?: unknown[]) => client.query(text, params) as unknown as Promise<{ rows: Row[]; fields: { name: string }[] }>,
          exec: async (script: string) => {
            await client.query(script);
          },
        });
      } finally {
        client.release();
      }
    },
  };
}
