import { loadContactCenter } from '../config/contact-center';
import { loadConfig } from '../config/env';
import { createLogger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { startMetricsServer } from '../observability/metrics-server';
import { installTemporalRuntime } from '../observability/temporal-logger';
import { openCrm } from '../integrations/crm/create-crm';
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
  const crm = await openCrm(config, { contactCenter, demoNotes: 'memory', onConnectionError: () => logger.warn('a CRM connection broke; it is replaced on next use') });
  if (crm.kind === 'demo') logger.warn('CRM_URL is unset: the demo CRM keeps notes in this process only; set CRM_URL so processes run apart share one CRM');
  const target = temporalTarget(config);
  const connection = await connectWorker(target);
  const metrics = createMetrics({ departments: contactCenter.departments.map((department) => department.id), ...(sdkMetricsUrl ? { sdkMetricsUrl } : {}) });
  const worker = await buildTransferWorker({ config, connection, contactCenter, crm, dataConverter, metrics });
  const metricsServer = await startMetricsServer(metrics, { port: config.metricsPort, host: config.host });
  logger.info({ address: target.address, namespace: target.namespace, taskQueue: config.temporal.taskQueue, metrics: metricsServer.url, crm: crm.kind }, 'worker polling');
  try {
    // The SDK's runtime shuts the worker down on SIGINT/SIGTERM and lets in-flight tasks finish.
    await worker.run();
  } finally {
    await metricsServer.close();
    await connection.close();
    await crm.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
