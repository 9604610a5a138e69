/**
 * An embedded PostgreSQL (PGlite over its socket server) as its own process: prints its URL as one JSON line
 * and serves until killed. Test files use it for a database of their own; they cannot load PGlite themselves,
 * since jest's module sandbox refuses the dynamic imports PGlite starts with.
 */
import { startEmbeddedPostgres } from './postgres';

startEmbeddedPostgres().then(
  (postgres) => {
    process.stdout.write(`${JSON.stringify({ url: postgres.url })}\n`);
    const stop = () => void postgres.stop().finally(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  },
  (error: unknown) => {
    process.stderr.write(`embedded PostgreSQL failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
