import type { ContactCenter } from '../config/contact-center';
import type { AgentReservations } from '../integrations/agent-reservations';
import type { CallControlClient } from '../integrations/call-control-client';
import type { Crm } from '../integrations/crm';
import { createAgentActivities } from './agents';
import { createCallControlActivities } from './call-control';
import { createCrmActivities } from './crm';

/** Everything the activities touch outside the worker, injected so tests can hand in fakes. */
export interface ActivityDeps {
  contactCenter: ContactCenter;
  crm: Crm;
  reservations: AgentReservations;
  callControl: CallControlClient;
  controlUrlAllowedHosts: readonly string[];
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCrmActivities({ crm: deps.crm }),
    ...createAgentActivities({ contactCenter: deps.contactCenter, reservations: deps.reservations }),
    ...createCallControlActivities({ callControl: deps.callControl, controlUrlAllowedHosts: deps.controlUrlAllowedHosts }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
