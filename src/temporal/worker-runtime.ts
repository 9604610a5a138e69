import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import type { AttemptRecorder } from '../activities';
import { createActivities } from '../activities';
import type { ContactCenter } from '../config/contact-center';
import { rosterOf } from '../config/contact-center';
import type { AppConfig } from '../config/env';
import { HttpCallControlClient } from '../integrations/call-control-client';
import { callStatusSource } from '../integrations/call-status';
import { vapiCallsOf } from '../integrations/vapi-calls';
import type { Crm } from '../integrations/crm';
import { TemporalFloorClient } from '../integrations/floor-client';
import { LexiconToneJudge } from '../integrations/tone';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { prebuiltWorkflowBundle } from './data-converter';
import type { SwitchboardWorkers } from './worker';
import { createWorkers } from './worker';

/** A control POST's "about to send" marker: a heartbeat the server acknowledges before the request is written. */
export function heartbeatAttemptRecorder(client: Client): AttemptRecorder {
  return { record: (taskToken, marker) => client.activity.heartbeat(taskToken, marker) };
}

/** The production activity dependencies: the configured CRM (see `openCrm`), real HTTP to controlUrls, the floor. */
export async function buildTransferWorker(options: {
  config: Readonly<AppConfig>;
  connection: NativeConnection;
  contactCenter: ContactCenter;
  /** The process's CRM, opened once at start (`openCrm`) and shared with the API in a single process. */
  crm: Crm;
  /** The same converter the process's clients use (the codec must match). */
  dataConverter: DataConverter;
  metrics?: Metrics;
  /** Where the activities' integrations log what went wrong (Vapi's API), and the floor's roster sync. */
  logger?: Logger;
  /** Workflow code bundled ahead (e.g. while waiting for the server); else WORKFLOW_BUNDLE_PATH, else bundled here. */
  workflowBundle?: { code: string };
  /** The prebuilt bundle file, already resolved and checked (prebuiltWorkflowBundle). */
  workflowBundlePath?: string;
}): Promise<SwitchboardWorkers> {
  const { config, connection, contactCenter, dataConverter } = options;
  const encrypted = Boolean(config.payloadEncryptionKeys);
  // Activities reach the floor, and record their attempts, through a client on the worker's own connection.
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
  const roster = rosterOf(contactCenter);
  const floor = new TemporalFloorClient(client.workflow, config.temporal.taskQueue, () => roster);
  const activities = createActivities({
    contactCenter,
    crm: options.crm,
    floor,
    tone: new LexiconToneJudge(),
    callControl: new HttpCallControlClient(),
    callStatus: callStatusSource(config, { ...(options.logger ? { logger: options.logger } : {}), ...(options.metrics ? { metrics: options.metrics } : {}) }),
    controlUrlAllowedHosts: config.controlUrlAllowedHosts,
    attempts: heartbeatAttemptRecorder(client),
    vapiCalls: vapiCallsOf(config, { ...(options.logger ? { logger: options.logger } : {}), ...(options.metrics ? { metrics: options.metrics } : {}) }),
    ...(config.vapiPhoneNumberId ? { vapiPhoneNumberId: config.vapiPhoneNumberId } : {}),
  });
  const bundlePath = options.workflowBundlePath ?? (config.workflowBundlePath ? prebuiltWorkflowBundle(config.workflowBundlePath, encrypted) : undefined);
  const workers = await createWorkers({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
    dataConverter,
    encryptedFailures: encrypted,
    ...(options.metrics ? { sinks: options.metrics.sinks() } : {}),
    shutdownGraceTime: config.shutdownGraceSeconds * 1000,
  });
  // The floor follows the routing file of the newest worker: agents added or removed take effect now, not at the
  // next reservation. Until the floor answers (it runs on this process's own floor worker), keep trying.
  void syncRosterUntilDone(floor, roster, workers, options.logger);
  return workers;
}

async function syncRosterUntilDone(floor: TemporalFloorClient, roster: ReturnType<typeof rosterOf>, workers: SwitchboardWorkers, logger: Logger | undefined): Promise<void> {
  for (let attempt = 1; workers.getState() === 'INITIALIZED' || workers.getState() === 'RUNNING'; attempt += 1) {
    try {
      await floor.syncRoster(roster);
      logger?.info({ rosterVersion: roster.version, agents: roster.agents.length }, 'floor roster synced');
      return;
    } catch (error) {
      if (attempt === 1 || attempt % 10 === 0) logger?.warn({ err: { name: (error as Error)?.name, message: (error as Error)?.message }, attempt }, 'floor roster not synced yet; trying again');
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5_000)));
    }
  }
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
