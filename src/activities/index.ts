import type { ContactCenter } from '../config/contact-center';
import type { AgentDirectory } from '../integrations/agent-directory';
import type { CallControlClient } from '../integrations/call-control-client';
import type { CallStatusSource } from '../integrations/call-status';
import type { Crm } from '../integrations/crm';
import type { ToneJudge } from '../integrations/tone';
import { createCallControlActivities } from './call-control';
import { createCrmActivities } from './crm';
import { createRoutingActivities } from './routing';

/** Everything the activities touch outside the worker, injected so tests can hand in fakes. */
export interface ActivityDeps {
  contactCenter: ContactCenter;
  crm: Crm;
  /** Agents' live state and reservations (one `agent` workflow per agent). */
  agents: AgentDirectory;
  tone: ToneJudge;
  callControl: CallControlClient;
  controlUrlAllowedHosts: readonly string[];
  /** Vapi's view of a call, for deciding whether a silent transfer may fall back. */
  callStatus: CallStatusSource;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCrmActivities({ crm: deps.crm }),
    ...createRoutingActivities({ contactCenter: deps.contactCenter, agents: deps.agents, tone: deps.tone }),
    ...createCallControlActivities({
      callControl: deps.callControl,
      controlUrlAllowedHosts: deps.controlUrlAllowedHosts,
      callStatus: deps.callStatus,
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
