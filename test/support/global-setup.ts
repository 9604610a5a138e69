import { startDevServer } from '../../src/dev/dev-server';
import { freePort } from '../../src/temporal/free-port';
import { temporalCliPath } from '../../src/dev/temporal-binaries';
import { startEmbeddedPostgres } from './postgres';

/**
 * One Temporal dev server for the whole run (starting one per file costs seconds each on two cores). With
 * TEMPORAL_ADDRESS set, that server is used instead. Test files reach it through TEMPORAL_ADDRESS, which
 * jest's workers inherit. Likewise one PostgreSQL for the CRM tests: DATABASE_URL when set, else an embedded
 * one (PGlite over its socket server) whose URL becomes DATABASE_URL. Both start side by side.
 */
export default async function globalSetup(): Promise<void> {
  const state = globalThis as { __temporalDevServer?: unknown; __testPostgres?: unknown };
  const postgres = async () => {
    if (process.env.DATABASE_URL) return;
    const embedded = await startEmbeddedPostgres();
    process.env.DATABASE_URL = embedded.url;
    state.__testPostgres = embedded;
  };
  const temporal = async () => {
    if (process.env.TEMPORAL_ADDRESS) return;
    const port = await freePort();
    const server = await startDevServer({ cliPath: temporalCliPath(), port, logLevel: 'error', startupTimeoutMs: 60_000 });
    process.env.TEMPORAL_ADDRESS = server.address;
    process.env.SWITCHBOARD_TEST_OWNS_SERVER = '1';
    state.__temporalDevServer = server;
  };
  await Promise.all([postgres(), temporal()]);
}
