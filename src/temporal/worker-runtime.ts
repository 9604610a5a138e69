import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ContactCenter } from '../config/contact-center';
import type { AppConfig } from '../config/env';
import { TemporalAgentDirectory } from '../integrations/agent-directory';
import { HttpCallControlClient } from '../integrations/call-control-client';
import { callStatusSource } from '../integrations/call-status';
import type { Crm } from '../integrations/crm';
import { LexiconToneJudge } from '../integrations/tone';
import { prebuiltWorkflowBundle } from './data-converter';
import { createWorker } from './worker';

/** The production activity dependencies: the configured CRM (see `openCrm`), real HTTP to controlUrls. */
export async function buildTransferWorker(options: {
  config: Readonly<AppConfig>;
  connection: NativeConnection;
  contactCenter: ContactCenter;
  /** The process's CRM, opened once at start (`openCrm`) and shared with the API in a single process. */
  crm: Crm;
  /** The same converter the process's clients use (the codec must match). */
  dataConverter: DataConverter;
  metrics?: Metrics;
  /** Where the activities' integrations log what went wrong (Vapi's API). */
  logger?: Logger;
  /** Workflow code bundled ahead (e.g. while waiting for the server); else WORKFLOW_BUNDLE_PATH, else bundled here. */
  workflowBundle?: { code: string };
  /** The prebuilt bundle file, already resolved and checked (prebuiltWorkflowBundle). */
  workflowBundlePath?: string;
}): Promise<Worker> {
  const { config, connection, contactCenter, dataConverter } = options;
  // Activities reach the agents' workflows through a client on the worker's own connection.
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
  const activities = createActivities({
    contactCenter,
    crm: options.crm,
    agents: new TemporalAgentDirectory(client.workflow, config.temporal.taskQueue),
    tone: new LexiconToneJudge(),
    callControl: new HttpCallControlClient(),
    callStatus: callStatusSource(config, { ...(options.logger ? { logger: options.logger } : {}), ...(options.metrics ? { metrics: options.metrics } : {}) }),
    controlUrlAllowedHosts: config.controlUrlAllowedHosts,
  });
  return createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : options.workflowBundlePath
        ? { workflowBundle: { codePath: options.workflowBundlePath } }
        : config.workflowBundlePath
        ? { workflowBundle: { codePath: prebuiltWorkflowBundle(config.workflowBundlePath, Boolean(config.payloadEncryptionKeys)) } }
        : {}),
    dataConverter,
    ...(options.metrics ? { sinks: options.metrics.sinks() } : {}),
    shutdownGraceTime: config.shutdownGraceSeconds * 1000,
  });
}

/**
 * What a worker without VAPI_API_KEY cannot do, said once at start. Not in npm start's embedded demo, where
 * the simulator plays Vapi and reports every transfer.
 */
export function warnIfVapiCannotBeAsked(config: Pick<AppConfig, 'vapiApiKey'>, logger: Logger): void {
  if (config.vapiApiKey) return;
  logger.warn(
    'VAPI_API_KEY is unset: a transfer whose control POST has an unknown fate (its answer lost, its worker gone) can never be checked with Vapi; ' +
      'it ends unknown unless Vapi\'s webhooks report it, and the fallback chain cannot run. Set VAPI_API_KEY to a Vapi private key',
  );
}
