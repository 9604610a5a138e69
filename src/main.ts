import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import path from 'node:path';
import { startApiServer } from './api/server';
import { loadContactCenter } from './config/contact-center';
import { loadConfig } from './config/env';
import { settingsPrefix } from './config/hints';
import type { AppConfig } from './config/env';
import { startDevServer } from './dev/dev-server';
import type { DevServer } from './dev/dev-server';
import { temporalCliPath } from './dev/temporal-binaries';
import { createLogger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import { installTemporalRuntime } from './observability/temporal-logger';
import { freePort } from './temporal/free-port';
import { codecUrlToken } from './api/codec/router';
import { openCrm } from './integrations/crm/create-crm';
import { createDataConverter, payloadCodecFor } from './temporal/data-converter';
import { embeddedPayloadEncryption, encryptionKeysOf } from './temporal/payload-encryption';
import type { PayloadEncryption } from './temporal/payload-encryption';
import { connectClient, connectWorker, temporalTarget } from './temporal/connection';
import { handleShutdown } from './process/shutdown';
import { waitForTemporal } from './temporal/wait-for-temporal';
import { ensureSearchAttributes } from './temporal/search-attributes';
import { buildTransferWorker, warnIfVapiCannotBeAsked } from './temporal/worker-runtime';

/**
 * `npm start`: the whole service on its embedded defaults. Without TEMPORAL_ADDRESS it runs the Temporal
 * dev server (SQLite file under DATA_DIR, Web UI on), then the worker and the API in this process.
 */
async function main(): Promise<void> {
  let config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const embedded = config.temporal.address === undefined;
  // Encrypted unless switched off: on its own dev server with the key file it keeps in DATA_DIR when no keys are set.
  const encryption = embeddedPayloadEncryption(config);
  config = { ...config, payloadEncryptionKeys: encryptionKeysOf(encryption, logger) };
  const { sdkMetricsUrl, workflowTaskFailures } = installTemporalRuntime(logger, { sdkMetricsPort: await freePort(), workerTaskQueue: config.temporal.taskQueue });
  const codec = payloadCodecFor(config.payloadEncryptionKeys);
  const dataConverter = createDataConverter(codec);
  const cleanups: (() => Promise<void>)[] = [];

  if (embedded && config.controlUrlAllowedHostsDefaulted) {
    // The simulator's fake control server listens on 127.0.0.1; only the embedded demo admits it by default.
    config = { ...config, controlUrlAllowedHosts: [...config.controlUrlAllowedHosts, '127.0.0.1'] };
    logger.warn('embedded mode: controlUrls on http://127.0.0.1 are accepted for the local simulator (set CONTROL_URL_ALLOWED_HOSTS to change)');
  }
  const adminTokenGenerated = embedded && !config.adminToken;
  if (adminTokenGenerated) {
    // The demo's operator endpoints (agents, routing explain) need a token; make one up and print it.
    config = { ...config, adminToken: randomBytes(16).toString('hex') };
  }
  if (!embedded) warnIfVapiCannotBeAsked(config, logger);
  const webhookAuth = config.webhookAuth ?? { mode: 'none' as const };
  if (webhookAuth.mode === 'none') {
    logger.warn('VAPI_WEBHOOK_AUTH is none: webhooks are accepted without authentication. Set bearer or hmac before exposing this service.');
  }

  // The CRM first: bad configuration stops here, before anything is started. Without CRM_URL the demo CRM
  // keeps its notes in PGlite under DATA_DIR, so they outlive a restart.
  const contactCenter = loadContactCenter(config.routingConfigPath);
  const crm = await openCrm(config, { contactCenter, demoNotes: 'embedded', onConnectionError: () => logger.warn('a CRM connection broke; it is replaced on next use') });
  cleanups.unshift(() => crm.close());

  let devServer: DevServer | undefined;
  const uiOrigins = [`http://localhost:${config.devServer.uiPort}`, `http://127.0.0.1:${config.devServer.uiPort}`];
  if (embedded) {
    // The embedded UI decrypts through our codec endpoint; its URL carries a codec-only token (no headers from the UI).
    const codecEndpoint = codec && config.adminToken ? `http://127.0.0.1:${config.port}/codec/${codecUrlToken(config.adminToken)}` : undefined;
    devServer = await startDevServer({
      ...(codecEndpoint ? { extraArgs: ['--ui-codec-endpoint', codecEndpoint] } : {}),
      cliPath: temporalCliPath(),
      port: config.devServer.port,
      uiPort: config.devServer.uiPort,
      dbFile: path.join(config.dataDir, 'temporal.sqlite'),
      namespace: config.temporal.namespace,
    });
    cleanups.unshift(() => devServer!.stop());
  }

  // Until the API is up, stopping means stopping what has started so far (the dev server, via cleanups).
  let stopServing: () => Promise<void> = async () => undefined;
  const shutdown = handleShutdown({
    logger,
    hardTimeoutMs: config.shutdownGraceSeconds * 1000 + 20_000,
    stop: async () => {
      await stopServing();
      for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    },
  });
  // Nothing restarts the embedded server: if it dies, stop in order and exit non-zero rather than run on without it.
  void devServer?.exited.then((code) => {
    if (shutdown.stopping) return;
    logger.error({ code }, 'the embedded Temporal dev server exited unexpectedly; stopping');
    process.exitCode = 1;
    shutdown.begin('dev server exited');
  });

  const target = temporalTarget(config);
  const patience = { logger, deadlineSeconds: config.connectDeadlineSeconds };
  const client = await waitForTemporal(target, () => connectClient(target, dataConverter, { connectTimeoutMs: 3_000 }), patience);
  cleanups.unshift(() => client.connection.close());
  const registered = await ensureSearchAttributes(client.connection, target.namespace);
  if (registered.length > 0) logger.info({ registered }, 'search attributes registered');

  const workerConnection = await waitForTemporal(target, () => connectWorker(target), { ...patience, logger: logger.child({}, { level: 'warn' }) });
  const metrics = createMetrics({ departments: contactCenter.departments.map((department) => department.id), ...(sdkMetricsUrl ? { sdkMetricsUrl } : {}) });
  workflowTaskFailures?.onFailure((failure) => metrics.workflowTaskFailed(failure.workflowType));
  const worker = await buildTransferWorker({ config, connection: workerConnection, contactCenter, crm, dataConverter, metrics, logger });
  const workerDone = worker.run().finally(() => workerConnection.close());

  let draining = false;
  // The API starts transfers on the worker's own connection, eagerly: the server answers the start with the
  // first workflow task for this worker instead of queueing it (npm run bench: more transfers/s for the same
  // CPU). Only this process can: eager start needs the worker in the same process as the client.
  const api = await startApiServer({
    config,
    client: new Client({ connection: workerConnection, namespace: target.namespace, dataConverter }),
    eagerStart: true,
    // Like loopback controlUrls: the simulator's as-of time is for the embedded demo only.
    honourRouteAt: embedded,
    logger,
    webhookAuth,
    contactCenter,
    crm,
    metrics,
    codec: codec ?? null,
    codecCorsOrigins: embedded ? uiOrigins : [],
    draining: () => draining,
    dataConverter,
    ...((devServer?.uiUrl ?? config.temporalUiUrl) ? { temporalUiUrl: devServer?.uiUrl ?? config.temporalUiUrl } : {}),
  });
  // In order: stop taking webhooks, let in-flight ones finish, drain the worker, then the dev server (cleanups).
  stopServing = async () => {
    draining = true;
    await api.close();
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await workerDone.catch(() => undefined);
  };
  printBanner(config, api.url, devServer, encryption, adminTokenGenerated);
  await workerDone;
}

function printBanner(config: Readonly<AppConfig>, apiUrl: string, devServer: DevServer | undefined, encryption: PayloadEncryption, adminTokenGenerated: boolean): void {
  // A token the operator set is theirs to know; only one made up here has to be shown to be usable.
  const adminToken = adminTokenGenerated ? config.adminToken : config.adminToken ? '<ADMIN_TOKEN as set>' : '(ADMIN_TOKEN unset)';
  const lines = [
    '',
    'Switchboard is running.',
    `  Vapi webhook:  ${apiUrl}/webhook   (tool: ${config.transferToolNames.join(', ')})`,
    `  Health:        ${apiUrl}/healthz   ${apiUrl}/readyz`,
    devServer
      ? `  Temporal:      ${devServer.address} (dev server, data in ${config.dataDir})`
      : `  Temporal:      ${config.temporal.address} (namespace ${config.temporal.namespace})`,
    devServer?.uiUrl ? `  Web UI:        ${devServer.uiUrl}/namespaces/${config.temporal.namespace}/workflows` : undefined,
    `  Floor:         ${apiUrl}/floor   (the live page; sign in with the admin token)`,
    `  Operator:      ${apiUrl}/transfers, ${apiUrl}/agents, ${apiUrl}/routing/explain   (Authorization: Bearer ${adminToken})`,
    `  Metrics:       ${apiUrl}/metrics`,
    `  CRM:           ${config.crm.kind === 'demo' ? `demo (customers from the routing file, notes in ${config.dataDir}; set CRM_URL for your own)` : config.crm.kind}`,
    ...payloadsLines(encryption),
    `  Try it:        ${settingsPrefix(config, ['PORT'])}npm run simulate -- --department billing --reason "question about my invoice"`,
    '',
  ].filter((line): line is string => line !== undefined);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** What is stored in Temporal, with what key, and where that key is when npm start made it. */
function payloadsLines(encryption: PayloadEncryption): string[] {
  if (encryption.mode === 'off') return ["  Payloads:      NOT encrypted (PAYLOAD_ENCRYPTION=off): callers' numbers and words are stored in plaintext"];
  if (encryption.source === 'PAYLOAD_ENCRYPTION_KEYS') return ['  Payloads:      AES-256-GCM encrypted (PAYLOAD_ENCRYPTION_KEYS); the Web UI decrypts through the codec endpoint'];
  // Absolute: the banner's lines are copied into other terminals, started from other folders.
  const file = path.resolve(encryption.keyFile);
  return [
    `  Payloads:      AES-256-GCM encrypted with the key in ${file} (${encryption.created ? 'made now' : 'kept from an earlier start'}; keep it: histories need it)`,
    `                 the Web UI decrypts through the codec endpoint; processes started apart: PAYLOAD_ENCRYPTION_KEYS="$(cat ${file})"`,
  ];
}

main().catch((error: unknown) => {
  process.stderr.write(`switchboard failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
