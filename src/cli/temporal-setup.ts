import { loadConfig } from '../config/env';
import { connectClient, temporalTarget } from '../temporal/connection';
import { ensureSearchAttributes } from '../temporal/search-attributes';
import { SEARCH_ATTRIBUTES } from '../contracts';

/**
 * `npm run temporal:setup`: registers Switchboard's search attributes on the configured cluster and
 * namespace. Idempotent; run it once per namespace before the first deploy (npm start does it for the dev server).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const target = temporalTarget(config);
  const client = await connectClient(target);
  try {
    const registered = await ensureSearchAttributes(client.connection, target.namespace);
    const names = SEARCH_ATTRIBUTES.map((key) => key.name).join(', ');
    process.stdout.write(
      registered.length > 0
        ? `registered ${registered.join(', ')} on ${target.address} namespace ${target.namespace}\n`
        : `already set up: ${names} exist on ${target.address} namespace ${target.namespace}\n`,
    );
  } finally {
    await client.connection.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`temporal:setup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
