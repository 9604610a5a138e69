import { loadContactCenter } from '../config/contact-center';
import { loadConfig } from '../config/env';
import { createLogger } from '../observability/logger';
import { installTemporalRuntime } from '../observability/temporal-logger';
import { connectWorker, temporalTarget } from './connection';
import { buildTransferWorker } from './worker-runtime';

/** `npm run start:worker`: one worker process; run several against one cluster to scale out. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'worker' });
  installTemporalRuntime(logger);
  const contactCenter = loadContactCenter(config.routingConfigPath);
  const target = temporalTarget(config);
  const connection = await connectWorker(target);
  const worker = await buildTransferWorker({ config, connection, contactCenter });
  logger.info({ address: target.address, namespace: target.namespace, taskQueue: config.temporal.taskQueue }, 'worker polling');
  try {
    // The SDK's runtime shuts the worker down on SIGINT/SIGTERM and lets in-flight tasks finish.
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
