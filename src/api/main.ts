import { loadContactCenter } from '../config/contact-center';
import { loadConfig } from '../config/env';
import { createLogger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { openCrm } from '../integrations/crm/create-crm';
import { handleShutdown } from '../process/shutdown';
import { lazyClient, probeTemporal, temporalTarget } from '../temporal/connection';
import { createDataConverter, payloadCodecFor } from '../temporal/data-converter';
import { encryptionKeysOf, requiredPayloadEncryption } from '../temporal/payload-encryption';
import { ConnectAbortedError, waitForTemporal } from '../temporal/wait-for-temporal';
import { startApiServer } from './server';

/** `npm run start:api`: the HTTP surface alone, against the configured (or local dev) cluster. */
async function main(): Promise<void> {
  const loaded = loadConfig();
  const logger = createLogger({ level: loaded.logLevel, name: 'api' });
  const config = { ...loaded, payloadEncryptionKeys: encryptionKeysOf(requiredPayloadEncryption(loaded), logger) };
  if (!config.webhookAuth) {
    throw new Error('VAPI_WEBHOOK_AUTH must be set (bearer, hmac, or none to accept unauthenticated webhooks)');
  }
  if (config.webhookAuth.mode === 'none') logger.warn('VAPI_WEBHOOK_AUTH=none: webhooks are accepted without authentication');
  const codec = payloadCodecFor(config.payloadEncryptionKeys);
  const dataConverter = createDataConverter(codec);
  const target = temporalTarget(config);
  // Listens at once, connected or not: /healthz answers, /readyz says why it is not ready, and webhooks that
  // arrive while Temporal is away keep trying for WEBHOOK_START_DEADLINE_MS before answering 503.
  const client = lazyClient(target, dataConverter);
  const contactCenter = loadContactCenter(config.routingConfigPath);
  // The CRM is checked before anything waits on Temporal: a wrong CRM_URL stops the process at once.
  const crm = await openCrm(config, { contactCenter, demoNotes: 'memory', onConnectionError: () => logger.warn('a CRM connection broke; it is replaced on next use') });
  if (crm.kind === 'demo') logger.warn('CRM_URL is unset: the demo CRM here cannot see the notes workers write; set CRM_URL so processes run apart share one CRM');
  const metrics = createMetrics({ departments: contactCenter.departments.map((department) => department.id) });
  let draining = false;
  const api = await startApiServer({
    config,
    client,
    logger,
    webhookAuth: config.webhookAuth,
    contactCenter,
    crm,
    metrics,
    codec: codec ?? null,
    draining: () => draining,
    dataConverter,
    ...(config.temporalUiUrl ? { temporalUiUrl: config.temporalUiUrl } : {}),
  });
  logger.info({ webhook: `${api.url}/webhook`, readyz: `${api.url}/readyz`, floor: `${api.url}/floor` }, 'api listening');

  const waiting = new AbortController();
  handleShutdown({
    logger,
    hardTimeoutMs: 30_000,
    stop: async () => {
      waiting.abort();
      // Fail readiness first so the load balancer stops sending, then let in-flight webhooks finish.
      draining = true;
      await api.close();
      await client.connection.close();
      await crm.close();
    },
  });
  try {
    await waitForTemporal(target, () => probeTemporal(client.connection, 2_000), { logger, deadlineSeconds: config.connectDeadlineSeconds, signal: waiting.signal });
  } catch (error) {
    if (error instanceof ConnectAbortedError) return;
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`api failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
