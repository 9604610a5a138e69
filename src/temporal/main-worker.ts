import { loadContactCenter } from '../config/contact-center';
import { loadConfig } from '../config/env';
import { createLogger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { startMetricsServer } from '../observability/metrics-server';
import { installTemporalRuntime } from '../observability/temporal-logger';
import { freePort } from './free-port';
import { createDataConverter, payloadCodecFor } from './data-converter';
import { connectWorker, temporalTarget } from './connection';
import { buildTransferWorker } from './worker-runtime';

/** `npm run start:worker`: one worker process; run several against one cluster to scale out. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'worker' });
  const { sdkMetricsUrl } = installTemporalRuntime(logger, { sdkMetricsPort: await freePort() });
  const dataConverter = createDataConverter(payloadCodecFor(config.payloadEncryptionKeys));
  const contactCenter = loadContactCenter(config.routingConfigPath);
  const target = temporalTarget(config);
  const connection = await connectWorker(target);
  const metrics = createMetrics({ departments: contactCenter.departments.map((department) => department.id), ...(sdkMetricsUrl ? { sdkMetricsUrl } : {}) });
  const worker = await buildTransferWorker({ config, connection, contactCenter, dataConverter, metrics });
  const metricsServer = await startMetricsServer(metrics, { port: config.metricsPort, host: config.host });
  logger.info({ address: target.address, namespace: target.namespace, taskQueue: config.temporal.taskQueue, metrics: metricsServer.url }, 'worker polling');
  try {
    // The SDK's runtime shuts the worker down on SIGINT/SIGTERM and lets in-flight tasks finish.
    await worker.run();
  } finally {
    await metricsServer.close();
    await connection.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
