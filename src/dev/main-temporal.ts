import path from 'node:path';
import { loadConfig } from '../config/env';
import { createLogger } from '../observability/logger';
import { handleShutdown } from '../process/shutdown';
import { connectClient } from '../temporal/connection';
import { ensureSearchAttributes } from '../temporal/search-attributes';
import { startDevServer } from './dev-server';
import { temporalCliPath } from './temporal-binaries';

/** `npm run start:temporal`: the embedded dev server alone, for running workers and APIs as separate processes. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'temporal' });
  const server = await startDevServer({
    cliPath: temporalCliPath(),
    port: config.devServer.port,
    uiPort: config.devServer.uiPort,
    dbFile: path.join(config.dataDir, 'temporal.sqlite'),
    namespace: config.temporal.namespace,
  });
  const shutdown = handleShutdown({ logger, stop: () => server.stop(), hardTimeoutMs: 15_000 });
  // A dev server that dies (killed, out of disk) takes this process with it, non-zero, so whatever started
  // it sees the failure and can start it again, instead of a process that looks alive serving nothing.
  void server.exited.then((code) => {
    if (shutdown.stopping) return;
    logger.error({ code }, 'the Temporal dev server exited unexpectedly');
    process.exit(1);
  });
  const client = await connectClient({ address: server.address, namespace: config.temporal.namespace, addressSetBy: 'DEV_SERVER_PORT' });
  await ensureSearchAttributes(client.connection, config.temporal.namespace);
  await client.connection.close();
  process.stdout.write(`Temporal dev server on ${server.address}; Web UI ${server.uiUrl}/namespaces/${config.temporal.namespace}/workflows\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`temporal dev server failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
