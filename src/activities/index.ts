import type { ContactCenter } from '../config/contact-center';
import type { Activities } from '../contracts';
import type { CallControlClient } from '../integrations/call-control-client';
import type { CallStatusSource } from '../integrations/call-status';
import type { Crm } from '../integrations/crm';
import type { FloorClient } from '../integrations/floor-client';
import type { ToneJudge } from '../integrations/tone';
import type { VapiCalls } from '../integrations/vapi-calls';
import type { AttemptRecorder } from './call-control';
import { createCallControlActivities } from './call-control';
import { createCallbackActivities } from './callback';
import { createCrmActivities } from './crm';
import { createRoutingActivities } from './routing';

export type { AttemptRecorder } from './call-control';

/** Everything the activities touch outside the worker, injected so tests can hand in fakes. */
export interface ActivityDeps {
  contactCenter: ContactCenter;
  crm: Crm;
  /** Agents' states and reservations: the floor workflow. */
  floor: FloorClient;
  tone: ToneJudge;
  callControl: CallControlClient;
  controlUrlAllowedHosts: readonly string[];
  /** Vapi's view of a call, for deciding whether a silent transfer may fall back. */
  callStatus: CallStatusSource;
  /** Where a control POST records that it is about to leave (an acknowledged heartbeat). */
  attempts: AttemptRecorder;
  /** Vapi's calls, for placing calls back (null or absent: VAPI_API_KEY unset). */
  vapiCalls?: VapiCalls | null;
  /** VAPI_PHONE_NUMBER_ID: the number calls back are placed from. */
  vapiPhoneNumberId?: string;
}

export function createActivities(deps: ActivityDeps): Activities {
  return {
    ...createCrmActivities({ crm: deps.crm }),
    ...createRoutingActivities({ contactCenter: deps.contactCenter, floor: deps.floor, tone: deps.tone }),
    ...createCallControlActivities({
      callControl: deps.callControl,
      controlUrlAllowedHosts: deps.controlUrlAllowedHosts,
      callStatus: deps.callStatus,
      attempts: deps.attempts,
    }),
    ...createCallbackActivities({ vapiCalls: deps.vapiCalls ?? null, phoneNumberId: deps.vapiPhoneNumberId, attempts: deps.attempts }),
  };
}
