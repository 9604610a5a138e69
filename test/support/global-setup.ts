import { startDevServer } from '../../src/dev/dev-server';
import { freePort } from '../../src/temporal/free-port';
import { temporalCliPath } from '../../src/dev/temporal-binaries';

/**
 * One Temporal dev server for the whole run (starting one per file costs seconds each on two cores). With
 * TEMPORAL_ADDRESS set, that server is used instead. Test files reach it through TEMPORAL_ADDRESS, which
 * jest's workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEMPORAL_ADDRESS) return;
  const port = await freePort();
  const server = await startDevServer({ cliPath: temporalCliPath(), port, logLevel: 'error', startupTimeoutMs: 60_000 });
  process.env.TEMPORAL_ADDRESS = server.address;
  process.env.SWITCHBOARD_TEST_OWNS_SERVER = '1';
  (globalThis as { __temporalDevServer?: typeof server }).__temporalDevServer = server;
}
