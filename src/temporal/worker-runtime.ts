import { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ContactCenter } from '../config/contact-center';
import type { AppConfig } from '../config/env';
import { TemporalAgentPool } from '../integrations/agent-pool-client';
import { InMemoryAgentReservations } from '../integrations/agent-reservations';
import { VapiClient } from '@vapi-ai/server-sdk';
import { HttpCallControlClient } from '../integrations/call-control-client';
import { VapiCallStatus, unknownCallStatus } from '../integrations/call-status';
import { DemoCrm } from '../integrations/crm';
import { LexiconToneJudge } from '../integrations/tone';
import { createWorker } from './worker';

/** The production activity dependencies: the demo CRM from the routing file, real HTTP to controlUrls. */
export async function buildTransferWorker(options: {
  config: Readonly<AppConfig>;
  connection: NativeConnection;
  contactCenter: ContactCenter;
}): Promise<Worker> {
  const { config, connection, contactCenter } = options;
  // Activities reach the agent-pool workflow through a client on the worker's own connection.
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const activities = createActivities({
    contactCenter,
    crm: new DemoCrm(contactCenter),
    agentPool: new TemporalAgentPool(client.workflow, config.temporal.taskQueue),
    tone: new LexiconToneJudge(),
    reservations: new InMemoryAgentReservations(),
    callControl: new HttpCallControlClient(),
    callStatus: config.vapiApiKey
      ? new VapiCallStatus(new VapiClient({ token: config.vapiApiKey, baseUrl: config.vapiBaseUrl }))
      : unknownCallStatus,
    controlUrlAllowedHosts: config.controlUrlAllowedHosts,
  });
  return createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    ...(config.workflowBundlePath ? { workflowBundle: { codePath: config.workflowBundlePath } } : {}),
  });
}
