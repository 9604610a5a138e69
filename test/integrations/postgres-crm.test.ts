import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import { CrmConfigError, CrmError } from '../../src/integrations/crm';
import type { TransferNote } from '../../src/integrations/crm';
import { PostgresCrm, compileCustomerQuery } from '../../src/integrations/crm/postgres-crm';
import { MIGRATIONS_TABLE, NOTES_TABLE } from '../../src/integrations/crm/sql';
import { expectEveryStatusToRoundTrip, expectRefusedMovesIgnored, transferNote } from '../support/note-lifecycle';
import type { TestPostgres } from '../support/postgres';
import { startEmbeddedPostgresProcess, testDatabaseUrl, testPool } from '../support/postgres';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

let pool: Pool;
let crm: PostgresCrm;
const opened: PostgresCrm[] = [];
/** What this file adds to the shared database, removed afterwards (DATABASE_URL may be a real server). */
const created = { tables: [] as string[], customers: [] as string[], transfers: [] as string[] };

function adapter(settings: Partial<ConstructorParameters<typeof PostgresCrm>[0]> = {}): PostgresCrm {
  const instance = new PostgresCrm({ url: testDatabaseUrl(), timeoutMs: 1_000, ...settings });
  opened.push(instance);
  return instance;
}

/** A customer nobody else's test uses: its own id and number. */
function uniqueCustomer(overrides: Record<string, unknown> = {}) {
  const digits = String(Math.floor(Math.random() * 1e9)).padStart(9, '0');
  return { id: `c-${randomUUID().slice(0, 8)}`, name: 'Dana Whitfield (Initech)', phone: `+1646${digits.slice(0, 7)}`, tier: 'enterprise', language: 'en', office: 'us-east', last_agent_id: 'a-ana', escalations_90d: 1, ...overrides };
}

async function insertCustomer(customer: ReturnType<typeof uniqueCustomer>): Promise<void> {
  created.customers.push(customer.id);
  await pool.query(
    'INSERT INTO switchboard_customers (id, name, phone, tier, language, office, last_agent_id, escalations_90d) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [customer.id, customer.name, customer.phone, customer.tier, customer.language, customer.office, customer.last_agent_id, customer.escalations_90d],
  );
}

function note(overrides: Partial<TransferNote> = {}): TransferNote {
  const transferId = `transfer-${randomUUID()}`;
  created.transfers.push(transferId);
  return transferNote(transferId, {
    callerWords: 'Hi, I have a question about my invoice.',
    routing: { decidedBy: 'known-agent', reasons: ['Known agent a-ana is free.'], candidates: [] },
    ...overrides,
  });
}

beforeAll(async () => {
  pool = testPool();
  crm = adapter();
  await crm.migrate();
});

afterAll(async () => {
  await Promise.all(opened.map((adapter) => adapter.close()));
  for (const table of created.tables) await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.query('DELETE FROM switchboard_customers WHERE id = ANY($1)', [created.customers]);
  await pool.query('DELETE FROM switchboard_transfer_notes WHERE transfer_id = ANY($1)', [created.transfers]);
  await pool?.end();
});

describe('the PostgreSQL CRM on its own tables', () => {
  it('finds a customer by id and by E.164 number, preferring the id, and maps every column to the profile', async () => {
    const customer = uniqueCustomer();
    const other = uniqueCustomer({ tier: 'standard', language: 'de-DE' });
    await insertCustomer(customer);
    await insertCustomer(other);

    expect(await crm.findCustomer({ customerId: customer.id })).toEqual({
      id: customer.id,
      name: customer.name,
      phone: customer.phone,
      tier: 'enterprise',
      language: 'en',
      office: 'us-east',
      lastAgent: 'a-ana',
      escalations90d: 1,
    });
    expect(await crm.findCustomer({ phone: other.phone })).toMatchObject({ id: other.id, tier: 'standard', language: 'de' });
    expect(await crm.findCustomer({ customerId: customer.id, phone: other.phone })).toMatchObject({ id: customer.id });
    expect(await crm.findCustomer({ customerId: 'c-nobody', phone: '+15555550000' })).toBeNull();
    expect(await crm.findCustomer({})).toBeNull();
  });

  it('writes one note per transfer however often, or however concurrently, it is posted', async () => {
    const posted = note();

    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => crm.upsertTransferNote(posted)));
    const again = await crm.upsertTransferNote({ ...posted, agentId: 'a-other' });

    expect(new Set([...answers, again].map((answer) => answer.noteId)).size).toBe(1);
    const rows = await pool.query('SELECT agent_id, status, summary FROM switchboard_transfer_notes WHERE transfer_id = $1', [posted.transferId]);
    expect(rows.rows).toEqual([{ agent_id: 'a-ana', status: 'pending-transfer', summary: expect.stringContaining('Transfer to agent a-ana in billing') }]);
  });

  it('marks a note not transferred, and writes it afresh when a later run of the transfer posts it again', async () => {
    const posted = note();
    const { noteId } = await crm.upsertTransferNote(posted);

    await crm.updateNoteStatus(noteId, 'not-transferred', 'transfer not completed');
    expect(await crm.findTransferNote(posted.transferId)).toEqual({
      noteId,
      transferId: posted.transferId,
      status: 'not-transferred',
      statusReason: 'transfer not completed',
      text: expect.stringContaining('Reason: question about my invoice'),
    });

    const retried = await crm.upsertTransferNote({ ...posted, agentId: 'a-ben' });
    expect(retried.noteId).toBe(noteId);
    expect(await crm.findTransferNote(posted.transferId)).toMatchObject({ status: 'pending-transfer', statusReason: null, text: expect.stringContaining('agent a-ben') });
  });

  it('keeps every status of the lifecycle and its reason', async () => {
    await expectEveryStatusToRoundTrip(crm, () => note());
  });

  it('ignores a move the lifecycle refuses, answering that nothing changed', async () => {
    await expectRefusedMovesIgnored(crm, () => note());
  });

  it('applies one of two marks racing for the same note, never both', async () => {
    const posted = note();
    const { noteId } = await crm.upsertTransferNote(posted);

    const [transferred, compensated] = await Promise.all([
      crm.updateNoteStatus(noteId, 'transferred', 'agent a-ana answered'),
      crm.updateNoteStatus(noteId, 'abandoned', 'caller hung up'),
    ]);

    expect([transferred.changed, compensated.changed].sort()).toEqual([false, true]);
    expect((await crm.findTransferNote(posted.transferId))?.status).toBe(transferred.changed ? 'transferred' : 'abandoned');
  });

  it('has no note for a transfer that never posted one', async () => {
    expect(await crm.findTransferNote(`transfer-${randomUUID()}`)).toBeNull();
  });

  it('refuses a customer row it cannot route on, naming the field and not the customer', async () => {
    const customer = uniqueCustomer({ tier: 'standard' });
    await insertCustomer(customer);
    const team = `team_accounts_${randomUUID().slice(0, 8)}`;
    created.tables.push(team);
    await pool.query(`CREATE TABLE ${team} (account text, full_name text, msisdn text, segment text)`);
    await pool.query(`INSERT INTO ${team} VALUES ($1, $2, $3, 'gold')`, [customer.id, customer.name, customer.phone]);
    const custom = adapter({ customerQuery: `SELECT account AS id, full_name AS name, msisdn AS phone, segment AS tier FROM ${team} WHERE msisdn = :phone` });

    const failure = await custom.findCustomer({ phone: customer.phone }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CrmError);
    expect((failure as CrmError).retryable).toBe(false);
    expect((failure as Error).message).toMatch(/CRM_CUSTOMER_QUERY returned a customer Switchboard cannot use \(tier: /);
    expect((failure as Error).message).not.toContain(customer.phone);
    expect((failure as Error).message).not.toContain('Dana');
  });
});

describe('a team’s own customer table through CRM_CUSTOMER_QUERY', () => {
  let table: string;

  beforeAll(async () => {
    table = `crm_contacts_${randomUUID().slice(0, 8)}`;
    created.tables.push(table);
    await pool.query(`CREATE TABLE ${table} (account_no bigint PRIMARY KEY, display_name text, mobile text, segment text, preferred_lang text, owner_agent text)`);
    await pool.query(`INSERT INTO ${table} VALUES (4711, 'Ravi Shah (Globex)', '+442071838750', 'Enterprise', 'en-GB', 'a-emma'), (4712, 'Lena Vogel', '+4930901820', NULL, NULL, NULL)`);
  });

  const query = () =>
    `SELECT account_no AS id, display_name AS name, mobile AS phone, coalesce(segment, 'standard') AS tier, preferred_lang AS language, owner_agent AS last_agent_id
     FROM ${table} WHERE mobile = :phone OR account_no::text = :customerId`;

  it('maps the query’s columns to the profile, by number and by id, with the values as parameters', async () => {
    const custom = adapter({ customerQuery: query() });
    await custom.validate();

    expect(await custom.findCustomer({ phone: '+442071838750' })).toEqual({
      id: '4711',
      name: 'Ravi Shah (Globex)',
      phone: '+442071838750',
      tier: 'enterprise',
      language: 'en',
      lastAgent: 'a-emma',
      escalations90d: 0,
    });
    expect(await custom.findCustomer({ customerId: '4712' })).toMatchObject({ id: '4712', tier: 'standard', language: undefined });
    // A quote in a value is data, not SQL.
    expect(await custom.findCustomer({ phone: "+1' OR '1'='1" })).toBeNull();
  });

  it('stops at start when the query names its columns wrongly, saying which and how to fix it', async () => {
    const wrong = adapter({ customerQuery: `SELECT account_no AS id, display_name AS fullname, segment AS tier FROM ${table} WHERE mobile = :phone` });

    await expect(wrong.validate()).rejects.toThrow(CrmConfigError);
    await expect(wrong.validate()).rejects.toThrow(
      /^CRM_CUSTOMER_QUERY: no column "name"; unknown column "fullname" \(did you mean "name"\?\)\. Name the columns with AS: id, name, tier \(required\)/,
    );
  });

  it('stops at start when PostgreSQL refuses the query, with PostgreSQL’s reason', async () => {
    const broken = adapter({ customerQuery: 'SELECT id, name, tier FROM no_such_table WHERE phone = :phone' });

    await expect(broken.validate()).rejects.toThrow(/^CRM_CUSTOMER_QUERY: PostgreSQL refused the query: relation "no_such_table" does not exist/);
  });

  it('reads only: a data-modifying statement cannot even be started', async () => {
    expect(() => adapter({ customerQuery: `DELETE FROM ${table} WHERE mobile = :phone RETURNING account_no AS id, display_name AS name, segment AS tier` })).toThrow(
      /^CRM_CUSTOMER_QUERY: found a DELETE statement; expected one read-only SELECT/,
    );
    // Past the start-time check (a SELECT hiding a data-modifying WITH), PostgreSQL's subquery rule still refuses it.
    const writer = adapter({ customerQuery: `WITH gone AS (DELETE FROM ${table} WHERE mobile = :phone RETURNING *) SELECT account_no AS id, display_name AS name, segment AS tier FROM gone` });
    await expect(writer.validate()).rejects.toThrow(/^CRM_CUSTOMER_QUERY: PostgreSQL refused the query: /);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]).toEqual({ n: 2 });
  });

  it('refuses at start a CRM_CUSTOMER_QUERY that is not one SELECT, naming the variable and what is expected', () => {
    const expected = 'expected one read-only SELECT (WITH … SELECT too) with :phone and/or :customerId';
    expect(() => compileCustomerQuery("UPDATE accounts SET segment = 'vip' WHERE mobile = :phone")).toThrow(`CRM_CUSTOMER_QUERY: found an UPDATE statement; ${expected}`);
    expect(() => compileCustomerQuery('delete from accounts where mobile = :phone')).toThrow(`CRM_CUSTOMER_QUERY: found a DELETE statement; ${expected}`);
    expect(() => compileCustomerQuery('SELECT id, name, tier FROM a WHERE mobile = :phone; DROP TABLE a')).toThrow(`CRM_CUSTOMER_QUERY: found several statements; ${expected}`);
    expect(() => compileCustomerQuery('-- just a comment')).toThrow(`CRM_CUSTOMER_QUERY: found no statement; ${expected}`);
    // Semicolons and keywords inside comments and quoted text are the query's data, not statements.
    expect(compileCustomerQuery("/* accounts; v2 */ SELECT id, name, tier FROM a WHERE note <> 'x; DELETE' AND mobile = :phone;").params).toEqual(['phone']);
  });

  it('needs :phone or :customerId, and only named parameters', () => {
    expect(() => compileCustomerQuery('SELECT id, name, tier FROM customers')).toThrow(/^CRM_CUSTOMER_QUERY: the query must use :phone/);
    expect(() => compileCustomerQuery('SELECT id, name, tier FROM customers WHERE phone = $1')).toThrow(/use the named parameters :customerId and :phone/);
    expect(compileCustomerQuery("SELECT id::text, name, 'standard'::text AS tier FROM c WHERE phone = :phone OR id = :customerId OR alt = :phone;")).toEqual({
      text: "SELECT * FROM (SELECT id::text, name, 'standard'::text AS tier FROM c WHERE phone = $1::text OR id = $2::text OR alt = $1::text) AS customer LIMIT 1",
      params: ['phone', 'customerId'],
    });
  });
});

describe('the schema and its migrations', () => {
  let empty: TestPostgres;

  beforeAll(async () => {
    // A database of its own: the shared one is migrated already.
    empty = await startEmbeddedPostgresProcess();
  }, 60_000);

  afterAll(async () => {
    await empty?.stop();
  });

  it('stops at start on a database without Switchboard’s tables, telling the operator to run db:migrate; migrating applies each version once', async () => {
    const fresh = adapter({ url: empty.url });

    await expect(fresh.validate()).rejects.toThrow(
      /^CRM_URL: the database is at Switchboard schema version 0 of 2 \(missing: 1 customers and transfer notes, 2 transfer note statuses\); run `npm run db:migrate` with the same CRM_URL/,
    );
    expect(await fresh.migrate()).toEqual({ applied: [1, 2], version: 2 });
    expect(await fresh.migrate()).toEqual({ applied: [], version: 2 });
    await expect(fresh.validate()).resolves.toBeUndefined();
  });

  it('`npm run db:migrate` against DATABASE_URL succeeds twice and the second run changes nothing', async () => {
    const env = { ...process.env, CRM_URL: testDatabaseUrl() };
    const script = ['--import', 'tsx', path.join(ROOT, 'src/cli/db-migrate.ts')];

    await run(process.execPath, script, { cwd: ROOT, env });
    const second = await run(process.execPath, script, { cwd: ROOT, env });

    expect(second.stdout).toBe('up to date: the database is at version 2 of 2\n');
    expect((await pool.query(`SELECT version, name FROM ${MIGRATIONS_TABLE} ORDER BY version`)).rows).toEqual([
      { version: 1, name: 'customers and transfer notes' },
      { version: 2, name: 'transfer note statuses' },
    ]);
  });

  it('`npm run db:migrate` without a PostgreSQL CRM_URL explains what to set', async () => {
    const env = { ...process.env, CRM_URL: '' };
    const failed = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/db-migrate.ts')], { cwd: ROOT, env }).catch((error: { code: number; stderr: string }) => error);

    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('CRM_URL is unset: set it to the database to migrate (postgres://user@host:5432/database)') });
  });
});

describe('a database an earlier Switchboard migrated (schema version 1)', () => {
  let old: TestPostgres;
  let oldPool: Pool;

  beforeAll(async () => {
    old = await startEmbeddedPostgresProcess();
    oldPool = testPool(old.url);
  }, 60_000);

  afterAll(async () => {
    await oldPool?.end();
    await old?.stop();
  });

  it('refuses to start until migrated, then `npm run db:migrate` moves it forward keeping every note, and the new statuses can be written', async () => {
    const earlier = adapter({ url: old.url });
    expect(await earlier.migrate({ through: 1 })).toEqual({ applied: [1], version: 1 });
    const pending = note();
    const compensated = note();
    const { noteId: pendingId } = await earlier.upsertTransferNote(pending);
    const { noteId: compensatedId } = await earlier.upsertTransferNote(compensated);
    expect(await earlier.updateNoteStatus(compensatedId, 'not-transferred', 'transfer not completed')).toEqual({ changed: true });
    // The constraint as version 1 wrote it: only the two statuses of the time.
    await expect(oldPool.query(`UPDATE ${NOTES_TABLE} SET status = 'transferred' WHERE note_id = $1`, [pendingId])).rejects.toThrow(/check constraint/);
    const before = [await earlier.findTransferNote(pending.transferId), await earlier.findTransferNote(compensated.transferId)];

    await expect(earlier.validate()).rejects.toThrow(
      new CrmConfigError(
        'CRM_URL: the database is at Switchboard schema version 1 of 2 (missing: 2 transfer note statuses); run `npm run db:migrate` with the same CRM_URL, then start again',
      ),
    );
    const migrated = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/db-migrate.ts')], { cwd: ROOT, env: { ...process.env, CRM_URL: old.url } });

    expect(migrated.stdout).toBe('applied migration 2 (transfer note statuses); the database is at version 2\n');
    await expect(earlier.validate()).resolves.toBeUndefined();
    expect([await earlier.findTransferNote(pending.transferId), await earlier.findTransferNote(compensated.transferId)]).toEqual(before);
    expect(before).toMatchObject([{ status: 'pending-transfer' }, { status: 'not-transferred', statusReason: 'transfer not completed' }]);
    expect(await earlier.updateNoteStatus(pendingId, 'transferred', 'agent a-ana answered')).toEqual({ changed: true });
    expect(await earlier.upsertTransferNote({ ...compensated, agentId: 'a-ben' })).toEqual({ noteId: compensatedId });
    expect(await earlier.findTransferNote(compensated.transferId)).toMatchObject({ status: 'pending-transfer', text: expect.stringContaining('agent a-ben') });
    await expect(oldPool.query(`UPDATE ${NOTES_TABLE} SET status = 'escalated' WHERE note_id = $1`, [pendingId])).rejects.toThrow(/check constraint/);
  });
});

describe('a PostgreSQL that cannot be reached', () => {
  it('stops the process at start with the host, and never the password', async () => {
    const unreachable = adapter({ url: 'postgres://switchboard:s3cret-pw@127.0.0.1:9/crm' });

    const failure = await unreachable.validate().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CrmConfigError);
    expect((failure as Error).message).toMatch(/^CRM_URL: cannot reach PostgreSQL at 127\.0\.0\.1:9\/crm \(ECONNREFUSED\); check the host and port in CRM_URL, or unset CRM_URL to use the demo CRM$/);
    expect((failure as Error).message).not.toContain('s3cret');
  });

  it('fails a lookup as retryable within the call budget, so the workflow can route the caller as anonymous', async () => {
    const unreachable = adapter({ url: 'postgres://postgres@127.0.0.1:9/crm' });
    const started = Date.now();

    const failure = await unreachable.findCustomer({ phone: '+12125550111' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CrmError);
    expect(failure).toMatchObject({ retryable: true, message: expect.stringMatching(/^PostgreSQL customer lookup failed \(ECONNREFUSED\)$/) });
    expect(Date.now() - started).toBeLessThan(2_800);
    await expect(unreachable.check()).rejects.toThrow(CrmError);
  });
});
