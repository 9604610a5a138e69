import { loadContactCenter } from '../config/contact-center';
import { loadConfig } from '../config/env';
import { createLogger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { connectClient, temporalTarget } from '../temporal/connection';
import { openCrm } from '../integrations/crm/create-crm';
import { createDataConverter, payloadCodecFor } from '../temporal/data-converter';
import { startApiServer } from './server';

/** `npm run start:api`: the HTTP surface alone, against the configured (or local dev) cluster. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'api' });
  if (!config.webhookAuth) {
    throw new Error('VAPI_WEBHOOK_AUTH must be set (bearer, hmac, or none to accept unauthenticated webhooks)');
  }
  if (config.webhookAuth.mode === 'none') logger.warn('VAPI_WEBHOOK_AUTH=none: webhooks are accepted without authentication');
  const codec = payloadCodecFor(config.payloadEncryptionKeys);
  const dataConverter = createDataConverter(codec);
  const contactCenter = loadContactCenter(config.routingConfigPath);
  const crm = await openCrm(config, { contactCenter, demoNotes: 'memory', onConnectionError: () => logger.warn('a CRM connection broke; it is replaced on next use') });
  if (crm.kind === 'demo') logger.warn('CRM_URL is unset: the demo CRM here cannot see the notes workers write; set CRM_URL so processes run apart share one CRM');
  const client = await connectClient(temporalTarget(config), dataConverter);
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
  });
  logger.info({ webhook: `${api.url}/webhook` }, 'api listening');
  const stop = async () => {
    // Fail readiness first so the load balancer stops sending, then let in-flight webhooks finish.
    draining = true;
    await api.close();
    await client.connection.close();
    await crm.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`api failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
