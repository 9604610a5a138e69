import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import { callbacksOffReason } from '../config/env';
import type { Logger } from '../observability/logger';
import { temporalTarget } from '../temporal/connection';
import { createReadinessCheck } from '../temporal/readiness';
import type { WebhookAuthConfig } from '../vapi/webhook-auth';
import { parseAllowedHosts } from '../vapi/control-url';
import type { ContactCenter } from '../config/contact-center';
import { rosterOf, routingPolicyOf } from '../config/contact-center';
import { TemporalFloorClient } from '../integrations/floor-client';
import type { CrmAdapter } from '../integrations/crm';
import { LexiconToneJudge } from '../integrations/tone';
import { callStatusSource } from '../integrations/call-status';
import type { Metrics } from '../observability/metrics';
import { TransferConsole } from '../operations/transfer-console';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { createApp } from './app';
import { FloorFeed } from './floor/feed';

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

/** Assembles the app from configuration and a connected client, and listens. */
export async function startApiServer(options: {
  config: Readonly<AppConfig>;
  client: Client;
  logger: Logger;
  webhookAuth: WebhookAuthConfig;
  contactCenter: ContactCenter;
  /** The process's CRM: routing explain looks callers up in it, `/readyz` reports it, transfers show its notes. */
  crm: CrmAdapter;
  metrics?: Metrics;
  /** The payload codec for the codec endpoint (null: encryption off, payloads pass through). */
  codec: PayloadCodec | null;
  /** Extra origins for the codec endpoint besides CODEC_CORS_ORIGINS (the embedded Web UI). */
  codecCorsOrigins?: readonly string[];
  draining?: () => boolean;
  /** The converter the client was built with (replays decode with it). */
  dataConverter: DataConverter;
  /** The client is built on the worker's NativeConnection in this process: webhooks start transfers eagerly. */
  eagerStart?: boolean;
  /** The Web UI's base URL, shown on /healthz so the simulator can link to its workflow (TEMPORAL_UI_URL, or npm start's own UI). */
  temporalUiUrl?: string;
  /** npm start's embedded mode: the simulator's as-of time (`x-switchboard-route-at`) becomes the transfer's `routeAt`. */
  honourRouteAt?: boolean;
}): Promise<ApiServer> {
  const { config, client, logger } = options;
  const callbacksOff = callbacksOffReason(config);
  if (callbacksOff) logger.info(callbacksOff);
  const transfers = new TransferConsole({
    workflowClient: client.workflow,
    taskQueue: config.temporal.taskQueue,
    callStatus: callStatusSource(config, { logger, ...(options.metrics ? { metrics: options.metrics } : {}) }),
    dataConverter: options.dataConverter,
    crm: options.crm,
    routingPolicy: routingPolicyOf(options.contactCenter),
    ...(config.workflowBundlePath ? { workflowBundlePath: config.workflowBundlePath } : {}),
  });
  const readiness = createReadinessCheck(client, config.temporal.taskQueue, { target: temporalTarget(config), crm: options.crm });
  const floor = new TemporalFloorClient(client.workflow, config.temporal.taskQueue, () => rosterOf(options.contactCenter));
  options.metrics?.watchLines(() => floor.lines());
  // One reader of the floor and of visibility for every open floor page of this process.
  const feed = new FloorFeed({
    floor,
    transfers,
    readiness,
    agents: options.contactCenter.agents,
    encryption: options.codec ? 'on' : 'off',
    ...(options.temporalUiUrl ? { temporalUi: options.temporalUiUrl } : {}),
    namespace: config.temporal.namespace,
    logger,
  });
  const app = createApp({
    webhookAuth: options.webhookAuth,
    transferToolNames: config.transferToolNames,
    timings: config.transferTimings,
    destinationDeadlineMs: config.destinationDeadlineMs,
    rateLimitPerMinute: config.rateLimitPerMinute,
    rateLimitPerCallPerMinute: config.rateLimitPerCallPerMinute,
    trustProxy: config.trustProxy,
    startDeadlineMs: config.startDeadlineMs,
    ...(options.eagerStart ? { eagerStart: true } : {}),
    ...(options.honourRouteAt ? { honourRouteAt: true } : {}),
    ...(callbacksOff ? {} : { callbacks: true }),
    allowedHosts: parseAllowedHosts(config.controlUrlAllowedHosts),
    taskQueue: config.temporal.taskQueue,
    workflowClient: client.workflow,
    logger,
    readiness,
    ...(options.temporalUiUrl ? { temporalUiUrl: options.temporalUiUrl } : {}),
    operator: {
      adminToken: config.adminToken,
      transfers,
      floor,
      contactCenter: options.contactCenter,
      crm: options.crm,
      tone: new LexiconToneJudge(),
      transferToolNames: config.transferToolNames,
    },
    transfers,
    floor: { feed },
    codec: { codec: options.codec, corsOrigins: [...config.codecCorsOrigins, ...(options.codecCorsOrigins ?? [])] },
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.draining ? { draining: options.draining } : {}),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(config.port, config.host, () => resolve(listening));
    listening.once('error', reject);
  });
  // Bounded so a slow client cannot hold a socket open; Vapi's own webhook timeout is 20 s.
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      // Open floor pages hold their streams for ever: end them, or the server never closes.
      const reads = feed.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await reads;
    },
  };
}
