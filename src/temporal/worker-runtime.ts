import type { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ContactCenter } from '../config/contact-center';
import type { AppConfig } from '../config/env';
import { InMemoryAgentReservations } from '../integrations/agent-reservations';
import { HttpCallControlClient } from '../integrations/call-control-client';
import { DemoCrm } from '../integrations/crm';
import { createWorker } from './worker';

/** The production activity dependencies: the demo CRM from the routing file, real HTTP to controlUrls. */
export async function buildTransferWorker(options: {
  config: Readonly<AppConfig>;
  connection: NativeConnection;
  contactCenter: ContactCenter;
}): Promise<Worker> {
  const { config, connection, contactCenter } = options;
  const activities = createActivities({
    contactCenter,
    crm: new DemoCrm(contactCenter),
    reservations: new InMemoryAgentReservations(),
    callControl: new HttpCallControlClient(),
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
