import type { ContactCenter } from '../config/contact-center';
import type { AgentPool } from '../integrations/agent-pool-client';
import type { AgentReservations } from '../integrations/agent-reservations';
import type { CallControlClient } from '../integrations/call-control-client';
import type { CallStatusSource } from '../integrations/call-status';
import type { Crm } from '../integrations/crm';
import type { ToneJudge } from '../integrations/tone';
import { createAgentActivities } from './agents';
import { createCallControlActivities } from './call-control';
import { createCrmActivities } from './crm';
import { createRoutingActivities } from './routing';

/** Everything the activities touch outside the worker, injected so tests can hand in fakes. */
export interface ActivityDeps {
  contactCenter: ContactCenter;
  crm: Crm;
  /** Agents' live state (the agent-pool workflow). */
  agentPool: AgentPool;
  tone: ToneJudge;
  /** Process-local reservations of the simple router, kept for transfers started before the routing engine. */
  reservations: AgentReservations;
  callControl: CallControlClient;
  controlUrlAllowedHosts: readonly string[];
  /** Vapi's view of a call, for deciding whether a silent transfer may fall back. */
  callStatus: CallStatusSource;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCrmActivities({ crm: deps.crm }),
    ...createAgentActivities({ contactCenter: deps.contactCenter, reservations: deps.reservations }),
    ...createRoutingActivities({ contactCenter: deps.contactCenter, agentPool: deps.agentPool, tone: deps.tone }),
    ...createCallControlActivities({
      callControl: deps.callControl,
      controlUrlAllowedHosts: deps.controlUrlAllowedHosts,
      callStatus: deps.callStatus,
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
