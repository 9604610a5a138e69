import { loadContactCenter } from '../config/contact-center';
import { callbacksOffReason, loadConfig } from '../config/env';
import { createLogger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { startMetricsServer } from '../observability/metrics-server';
import { installTemporalRuntime } from '../observability/temporal-logger';
import { openCrm } from '../integrations/crm/create-crm';
import { handleShutdown } from '../process/shutdown';
import { freePort } from './free-port';
import { Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { createDataConverter, failureConverterPathFor, payloadCodecFor, prebuiltWorkflowBundle } from './data-converter';
import { WORKFLOWS_PATH } from './worker';
import { connectWorker, temporalTarget } from './connection';
import { ConnectAbortedError, NotAnOutageError, waitForTemporal } from './wait-for-temporal';
import { buildTransferWorker, warnIfVapiCannotBeAsked } from './worker-runtime';
import { encryptionKeysOf, requiredPayloadEncryption } from './payload-encryption';

/** `npm run start:worker`: one worker process; run several against one cluster (or on one host) to scale out. */
async function main(): Promise<void> {
  const loaded = loadConfig();
  const logger = createLogger({ level: loaded.logLevel, name: 'worker' });
  const config = { ...loaded, payloadEncryptionKeys: encryptionKeysOf(requiredPayloadEncryption(loaded), logger) };
  const { sdkMetricsUrl, workflowTaskFailures } = installTemporalRuntime(logger, { sdkMetricsPort: await freePort(), workerTaskQueue: config.temporal.taskQueue });
  const dataConverter = createDataConverter(payloadCodecFor(config.payloadEncryptionKeys));
  warnIfVapiCannotBeAsked(config, logger);
  const callbacksOff = callbacksOffReason(config);
  if (callbacksOff) logger.info(callbacksOff);
  const contactCenter = loadContactCenter(config.routingConfigPath);
  // The CRM is checked before anything waits on Temporal: a wrong CRM_URL stops the process at once.
  const crm = await openCrm(config, { contactCenter, demoNotes: 'memory', onConnectionError: () => logger.warn('a CRM connection broke; it is replaced on next use') });
  if (crm.kind === 'demo') logger.warn('CRM_URL is unset: the demo CRM keeps notes in this process only; set CRM_URL so processes run apart share one CRM');
  const target = temporalTarget(config);
  const metrics = createMetrics({ departments: contactCenter.departments.map((department) => department.id), ...(sdkMetricsUrl ? { sdkMetricsUrl } : {}) });
  workflowTaskFailures?.onFailure((failure) => metrics.workflowTaskFailed(failure.workflowType));
  const metricsServer = await startMetricsServer(metrics, { port: config.metricsPort, host: config.host, logger });

  // Bundling the workflow code takes seconds and needs no server: do it while waiting for one, so a worker
  // (re)started during an outage polls as soon as the server is back.
  const bundling = config.workflowBundlePath
    ? undefined
    : bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        failureConverterPath: failureConverterPathFor(Boolean(config.payloadEncryptionKeys)),
        logger: Runtime.instance().logger,
      }).then(({ code }) => ({ code }));
  bundling?.catch(() => undefined);

  const waiting = new AbortController();
  let stopWorker: (() => Promise<void>) | undefined;
  handleShutdown({
    logger,
    hardTimeoutMs: config.shutdownGraceSeconds * 1000 + 15_000,
    stop: async () => {
      waiting.abort();
      // Stops polling; in-flight activities get SHUTDOWN_GRACE_SECONDS to finish.
      await stopWorker?.();
      await metricsServer.close();
      await crm.close();
    },
  });

  // The bundle is settled before waiting (a missing WORKFLOW_BUNDLE_PATH is a configuration error, not an outage).
  const workflowBundle = bundling ? undefined : prebuiltWorkflowBundle(config.workflowBundlePath!, Boolean(config.payloadEncryptionKeys));
  let started;
  try {
    // Connecting and registering the worker (the SDK checks the namespace) both need the server: both are
    // retried, so a server that disappears between the two, or a namespace created a moment later, is waited for.
    started = await waitForTemporal(
      target,
      async () => {
        const connection = await connectWorker(target);
        try {
          const code = bundling ? await bundling.catch((error: unknown) => Promise.reject(new NotAnOutageError(error))) : undefined;
          const worker = await buildTransferWorker({ config, connection, contactCenter, crm, dataConverter, metrics, logger, ...(code ? { workflowBundle: code } : {}), ...(workflowBundle ? { workflowBundlePath: workflowBundle } : {}) });
          return { connection, worker };
        } catch (error) {
          await connection.close().catch(() => undefined);
          throw error;
        }
      },
      { logger, deadlineSeconds: config.connectDeadlineSeconds, signal: waiting.signal },
    );
  } catch (error) {
    if (error instanceof ConnectAbortedError) return;
    throw error;
  }
  const { connection, worker } = started;
  const running = worker.run().finally(() => connection.close());
  stopWorker = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
  };
  logger.info({ address: target.address, namespace: target.namespace, taskQueue: config.temporal.taskQueue, metrics: metricsServer.url, crm: crm.kind }, 'worker polling');
  await running;
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
