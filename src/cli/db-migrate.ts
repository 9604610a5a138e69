import { loadConfig } from '../config/env';
import { PostgresCrm } from '../integrations/crm/postgres-crm';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../integrations/crm/sql';

/**
 * `npm run db:migrate`: creates or updates Switchboard's tables (customers, transfer notes) in the PostgreSQL
 * database of CRM_URL. Versioned and idempotent: each step runs once, recorded in switchboard_schema_migrations,
 * under a lock, so running it again (or from two places at once) changes nothing.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.crm.kind !== 'postgres') {
    throw new Error(
      config.crm.kind === 'demo'
        ? 'CRM_URL is unset: set it to the database to migrate (postgres://user@host:5432/database); the demo CRM migrates its own store'
        : `CRM_URL points at a ${config.crm.kind} CRM: only a postgres:// CRM_URL has tables to migrate`,
    );
  }
  // Migrations wait for a lock and run DDL: give them longer than a lookup gets.
  const crm = new PostgresCrm({ url: config.crm.url!, timeoutMs: 30_000, poolSize: 1 });
  try {
    const { applied, version } = await crm.migrate();
    const names = applied.map((number) => `${number} (${MIGRATIONS.find((migration) => migration.version === number)?.name})`);
    process.stdout.write(
      applied.length > 0 ? `applied migration ${names.join(', ')}; the database is at version ${version}\n` : `up to date: the database is at version ${version} of ${LATEST_SCHEMA_VERSION}\n`,
    );
  } finally {
    await crm.close();
  }
}

main().catch((error: unknown) => {
  // pg's messages name a host, a port or a user at most, never the password.
  process.stderr.write(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
