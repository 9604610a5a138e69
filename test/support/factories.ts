import { randomUUID } from 'node:crypto';
import { createActivities } from '../../src/activities';
import type { ActivityDeps } from '../../src/activities';
import { loadContactCenter, rosterOf } from '../../src/config/contact-center';
import type { ContactCenter } from '../../src/config/contact-center';
import { DEFAULT_ROUTING_CONFIG } from '../../src/config/env';
import type { TransferRequest } from '../../src/contracts';
import { HttpCallControlClient } from '../../src/integrations/call-control-client';
import { unknownCallStatus } from '../../src/integrations/call-status';
import { DemoCrm } from '../../src/integrations/crm';
import { LexiconToneJudge } from '../../src/integrations/tone';
import { InMemoryFloor } from './in-memory-floor';

let cachedContactCenter: ContactCenter | undefined;

export function demoContactCenter(): ContactCenter {
  cachedContactCenter ??= loadContactCenter(DEFAULT_ROUTING_CONFIG);
  return cachedContactCenter;
}

/**
 * The demo contact center with every office open around the clock and no holidays: workflow tests run at
 * whatever time it is, and must not depend on New York being open. Routing rules about hours are tested
 * as pure scenarios in test/routing with fixed times.
 */
export function alwaysOpenContactCenter(options: { lines?: boolean } = {}): ContactCenter {
  const center = demoContactCenter();
  const allDay = { start: 0, end: 24 * 60 };
  return {
    ...center,
    // No lines unless asked: a test that runs many transfers would otherwise keep its later callers waiting
    // for agents nobody marks ready. Tests of lines ask for the demo's, or give departments their own.
    departments: options.lines ? center.departments : center.departments.map(({ queue: _queue, ...department }) => department),
    offices: center.offices.map((office) => ({
      ...office,
      holidays: [],
      hours: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
    })),
  };
}

/** A transfer request for a known demo customer asking for billing; override any field. */
export function transferRequest(overrides: Partial<TransferRequest> & { controlBaseUrl?: string } = {}): TransferRequest {
  const { controlBaseUrl, ...rest } = overrides;
  const callId = rest.callId ?? randomUUID();
  return {
    callId,
    toolCallId: `call_${randomUUID().slice(0, 8)}`,
    controlUrl: `${controlBaseUrl ?? 'http://127.0.0.1:9'}/${callId}/control`,
    receivedAt: '2026-11-25T15:00:00.000Z',
    department: 'billing',
    reason: 'question about my invoice',
    callerNumber: '+12125550111',
    callerWords: 'Hi, I have a question about my invoice.',
    ...rest,
    mode: rest.mode ?? 'control-url',
    urgency: rest.urgency ?? 'medium',
    // Short, so a test that does not play Vapi's status reports does not wait two minutes.
    outcomeTimeoutSeconds: rest.outcomeTimeoutSeconds ?? 1,
    // Dial windows of a second: a test's silence means something as soon as the outcome timeout allows.
    fallbackCheckSeconds: rest.fallbackCheckSeconds ?? 1,
    warmDialSeconds: rest.warmDialSeconds ?? 1,
  };
}

/** Real activities over the demo CRM, in-memory agents and real HTTP; override any dependency. */
export function activityDeps(overrides: Partial<ActivityDeps> = {}): ActivityDeps & { crm: DemoCrm } {
  const contactCenter = overrides.contactCenter ?? demoContactCenter();
  return {
    contactCenter,
    crm: new DemoCrm(contactCenter),
    floor: new InMemoryFloor(rosterOf(contactCenter)),
    // Records nothing: tests of a worker lost mid-POST run real worker processes with the real recorder.
    attempts: { record: async () => undefined },
    tone: new LexiconToneJudge(),
    callControl: new HttpCallControlClient(1_000),
    callStatus: unknownCallStatus,
    controlUrlAllowedHosts: ['127.0.0.1'],
    ...overrides,
  } as ActivityDeps & { crm: DemoCrm };
}

export function activitiesWith(overrides: Partial<ActivityDeps> = {}) {
  const deps = activityDeps(overrides);
  return { deps, activities: createActivities(deps) };
}
