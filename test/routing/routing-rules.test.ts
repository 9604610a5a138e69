import type { AgentLiveState, CustomerProfile, RoutingInput, TransferPlanMode, Urgency } from '../../src/contracts';
import { ANONYMOUS_CUSTOMER } from '../../src/contracts';
import { toCustomerProfile } from '../../src/integrations/crm';
import { finalizeDecision, route } from '../../src/routing/pipeline';
import { demoContactCenter } from '../support/factories';
import { readFileSync } from 'node:fs';
import { parseContactCenterText, routingPolicyOf } from '../../src/config/contact-center';
import { DEFAULT_ROUTING_CONFIG } from '../../src/config/env';

/**
 * The default routing rules (docs/routing-rules.md) applied to the demo contact center, one
 * scenario per rule and edge. Times are UTC; the comment says the local time that matters.
 */

const center = demoContactCenter();
const policy = routingPolicyOf(center);

const ANONYMOUS = ANONYMOUS_CUSTOMER;

function customer(id: string): CustomerProfile {
  return toCustomerProfile(center.customers.find((entry) => entry.id === id) ?? null);
}

const busy = (active = 1): AgentLiveState => ({ status: 'available', activeTransfers: active, lastAssignedAt: '2026-11-25T14:00:00.000Z' });
const offline: AgentLiveState = { status: 'offline', activeTransfers: 0, lastAssignedAt: null };

interface Scenario {
  name: string;
  at: string;
  department?: string;
  reason?: string;
  urgency?: Urgency;
  customer?: CustomerProfile;
  callerNumber?: string;
  angry?: boolean;
  agents?: Record<string, AgentLiveState>;
  exclude?: string[];
  expect: {
    department?: string | null;
    office?: string;
    language?: string;
    mode?: TransferPlanMode;
    agentId?: string | null;
    destination?: string;
    decidedBy?: string;
    candidateOffices?: string[];
    relaxation?: string;
    reasons?: RegExp[];
  };
}

// Wednesday 2026-11-25 15:00Z: New York 10:00 (open), Los Angeles 07:00 (closed), Berlin 16:00 (open), Tokyo 00:00 (closed).
const WED_MORNING_NY = '2026-11-25T15:00:00Z';
// Wednesday 2026-11-25 20:00Z: New York 15:00, Los Angeles 12:00 (open), Berlin 21:00 (closed), Tokyo Thu 05:00 (closed).
const WED_NOON_LA = '2026-11-25T20:00:00Z';
// Wednesday 2026-11-25 02:00Z: Tokyo 11:00 (open), everyone else closed.
const WED_MORNING_TOKYO = '2026-11-25T02:00:00Z';

const SCENARIOS: Scenario[] = [
  // Rule 1: department.
  { name: 'department argument by id', at: WED_MORNING_NY, department: 'billing', expect: { department: 'billing', reasons: [/asked for "billing"/] } },
  { name: 'department argument by alias', at: WED_MORNING_NY, department: 'payments', expect: { department: 'billing' } },
  { name: 'department alias in any case', at: WED_MORNING_NY, department: 'INVOICE', expect: { department: 'billing' } },
  { name: 'multi-word alias as the argument', at: WED_MORNING_NY, department: 'technical support', expect: { department: 'support' } },
  { name: 'no argument: alias as a whole word in the reason', at: WED_MORNING_NY, reason: 'my internet is broken again', expect: { department: 'support', reasons: [/reason mentions "internet"/] } },
  { name: 'unknown argument: falls back to the reason', at: WED_MORNING_NY, department: 'accounts receivable', reason: 'I want a refund', expect: { department: 'billing', reasons: [/refund/] } },
  { name: 'two departments in the reason: the first in file order wins', at: WED_MORNING_NY, reason: 'upgrade my internet', expect: { department: 'support' } },
  { name: 'multi-word alias in the reason', at: WED_MORNING_NY, reason: 'I would like new service at my flat', expect: { department: 'sales' } },
  { name: 'an alias inside a longer word does not count', at: WED_MORNING_NY, reason: 'question about a billboard', expect: { department: null, agentId: null, destination: '+12025550100', mode: 'blind-transfer', decidedBy: 'department' } },
  { name: 'nothing matches: general line, blind, even for enterprise', at: WED_MORNING_NY, department: 'astrology', customer: customer('c-1001'), expect: { department: null, destination: '+12025550100', mode: 'blind-transfer', decidedBy: 'department' } },
  // Rules 2-4: customer, office, language.
  { name: 'known customer: CRM office, language and last agent', at: WED_MORNING_NY, department: 'billing', customer: customer('c-1001'), expect: { office: 'us-east', language: 'en', mode: 'warm-transfer-say-summary', agentId: 'a-ana', decidedBy: 'known-agent' } },
  { name: 'unknown caller with a us-west area code', at: WED_NOON_LA, department: 'support', callerNumber: '+13105550199', expect: { office: 'us-west', language: 'en', agentId: 'a-frank', reasons: [/area code 310/] } },
  { name: 'unknown +1 caller outside the us-west list goes to us-east', at: WED_MORNING_NY, department: 'support', callerNumber: '+12125550177', expect: { office: 'us-east', reasons: [/area code 212 not on the us-west list/] } },
  { name: 'unknown caller from Germany goes to emea', at: WED_MORNING_NY, department: 'support', callerNumber: '+4930555000', expect: { office: 'emea', agentId: 'a-hans', reasons: [/country code \+49/] } },
  { name: 'unknown caller from an unlisted country goes to us-east', at: WED_MORNING_NY, department: 'support', callerNumber: '+5511555000', expect: { office: 'us-east' } },
  { name: 'unknown caller without a number goes to us-east', at: WED_MORNING_NY, department: 'support', expect: { office: 'us-east', language: 'en' } },
  { name: 'customerId from the CRM wins over the number', at: WED_MORNING_NY, department: 'billing', customer: customer('c-1004'), callerNumber: '+13105550199', expect: { office: 'emea', language: 'de', agentId: 'a-hans' } },
  { name: 'CRM unreachable: anonymous defaults, with a reason', at: WED_MORNING_NY, department: 'support', customer: { ...ANONYMOUS, degraded: true }, expect: { office: 'us-east', reasons: [/CRM unreachable/] } },
  // Rule 5: seniority.
  { name: 'critical urgency requires a senior', at: WED_MORNING_NY, department: 'support', urgency: 'critical', expect: { agentId: 'a-ana', mode: 'warm-transfer-say-message', reasons: [/urgency is critical/] } },
  { name: 'an angry caller requires a senior', at: WED_MORNING_NY, department: 'support', angry: true, expect: { agentId: 'a-ana', mode: 'warm-transfer-say-message', reasons: [/sounds angry/] } },
  { name: 'two escalations in 90 days require a senior', at: WED_NOON_LA, department: 'support', customer: customer('c-1002'), expect: { office: 'us-west', agentId: 'a-frank', mode: 'warm-transfer-say-message', reasons: [/2 escalations/] } },
  // Rule 6: mode.
  { name: 'premium: warm with a message that names caller, department and reason', at: WED_MORNING_NY, department: 'billing', reason: 'double charge', customer: customer('c-1003'), expect: { language: 'es', agentId: 'a-ana', mode: 'warm-transfer-say-message' } },
  { name: 'standard without seniority: blind', at: WED_MORNING_NY, department: 'sales', expect: { agentId: 'a-dev', mode: 'blind-transfer' } },
  // Rule 7: office hours, follow the sun, holidays, closing time, daylight saving.
  { name: 'home office closed: follow the sun to the offices open now', at: '2026-11-26T02:00:00Z', department: 'billing', customer: customer('c-1001'), expect: { candidateOffices: ['apac'], agentId: 'a-kenji', mode: 'warm-transfer-say-summary', reasons: [/Follow the sun/] } },
  { name: 'no office open: enterprise to the 24x7 line keeping its warm mode', at: '2026-11-29T12:00:00Z', department: 'billing', customer: customer('c-1001'), expect: { destination: '+12025550199', mode: 'warm-transfer-say-summary', decidedBy: 'office-hours' } },
  { name: 'no office open: standard caller to voicemail, blind', at: '2026-11-29T12:00:00Z', department: 'support', urgency: 'critical', expect: { destination: 'sip:voicemail@pbx.example.com', mode: 'blind-transfer', decidedBy: 'office-hours' } },
  { name: 'no office open: premium caller to voicemail keeping its mode', at: '2026-11-29T12:00:00Z', department: 'support', customer: customer('c-1003'), expect: { destination: 'sip:voicemail@pbx.example.com', mode: 'warm-transfer-say-message' } },
  { name: 'us-east holiday (Thanksgiving): follow the sun to emea', at: '2026-11-26T15:00:00Z', department: 'support', customer: customer('c-1008'), expect: { candidateOffices: ['emea'], reasons: [/holiday 2026-11-26/] } },
  { name: 'emea holiday (Christmas Eve) on a weekday: closed all day', at: '2026-12-24T08:30:00Z', department: 'billing', customer: customer('c-1004'), expect: { candidateOffices: ['apac'], reasons: [/emea is closed for the holiday 2026-12-24/] } },
  { name: 'apac holiday (New Year’s Eve): closed all day', at: '2026-12-31T02:00:00Z', department: 'support', customer: customer('c-1006'), expect: { decidedBy: 'office-hours', destination: 'sip:voicemail@pbx.example.com' } },
  { name: 'a minute before closing: open', at: '2026-11-26T00:59:00Z', department: 'sales', expect: { candidateOffices: ['us-east'], agentId: 'a-dev' } },
  { name: 'at closing time: closed (end is exclusive)', at: '2026-11-26T01:00:00Z', department: 'sales', expect: { reasons: [/us-east is closed at Wed 20:00/] } },
  { name: 'Saturday morning hours in us-east', at: '2026-11-28T17:59:00Z', department: 'sales', expect: { candidateOffices: ['us-east'] } },
  { name: 'Saturday at 13:00 us-east has closed', at: '2026-11-28T18:00:00Z', department: 'sales', expect: { reasons: [/us-east is closed at Sat 13:00/] } },
  { name: 'New York before spring-forward: 12:30Z is 07:30 EST, closed', at: '2027-03-12T12:30:00Z', department: 'sales', expect: { reasons: [/us-east is closed at Fri 07:30/] } },
  { name: 'New York after spring-forward: 12:30Z is 08:30 EDT, open', at: '2027-03-15T12:30:00Z', department: 'sales', expect: { candidateOffices: ['us-east'], agentId: 'a-dev' } },
  { name: 'New York before fall-back: 12:30Z is 08:30 EDT, open', at: '2026-10-30T12:30:00Z', department: 'sales', expect: { candidateOffices: ['us-east'] } },
  { name: 'New York after fall-back: 12:30Z is 07:30 EST, closed', at: '2026-11-02T12:30:00Z', department: 'sales', expect: { reasons: [/us-east is closed at Mon 07:30/] } },
  { name: 'Berlin before spring-forward: 07:30Z is 08:30 CET, closed', at: '2027-03-26T07:30:00Z', department: 'billing', customer: customer('c-1004'), expect: { reasons: [/emea is closed at Fri 08:30/] } },
  { name: 'Berlin after spring-forward: 07:30Z is 09:30 CEST, open', at: '2027-03-29T07:30:00Z', department: 'billing', customer: customer('c-1004'), expect: { candidateOffices: ['emea'], agentId: 'a-hans' } },
  { name: 'Berlin before fall-back: 07:30Z is 09:30 CEST, open', at: '2026-10-23T07:30:00Z', department: 'billing', customer: customer('c-1004'), expect: { candidateOffices: ['emea'] } },
  { name: 'Berlin after fall-back: 07:30Z is 08:30 CET, closed', at: '2026-10-26T07:30:00Z', department: 'billing', customer: customer('c-1004'), expect: { reasons: [/emea is closed at Mon 08:30/] } },
  // Rule 8: qualification.
  { name: 'an offline agent is dropped, with the reason', at: WED_MORNING_NY, department: 'billing', agents: { 'a-ana': offline }, expect: { agentId: 'a-chloe', reasons: [/qualified: a-chloe/] } },
  { name: 'capacity 2: an agent with one transfer still qualifies', at: WED_MORNING_NY, department: 'billing', agents: { 'a-ana': busy(1), 'a-chloe': busy(1) }, expect: { agentId: 'a-chloe' } },
  { name: 'capacity 2: an agent with two transfers is full', at: WED_MORNING_NY, department: 'billing', agents: { 'a-ana': busy(1), 'a-chloe': busy(2) }, expect: { agentId: null, destination: '+12025550151', decidedBy: 'relaxation' } },
  { name: 'language: a Japanese-only caller skips English-only agents', at: WED_MORNING_TOKYO, department: 'support', customer: customer('c-1006'), agents: { 'a-kenji': busy(1) }, expect: { agentId: 'a-mika', mode: 'warm-transfer-say-message' } },
  { name: 'agents already tried on this call are not offered again', at: WED_MORNING_NY, department: 'billing', exclude: ['a-ana'], expect: { agentId: 'a-chloe' } },
  // Rule 9: known agent.
  { name: 'known agent when the last agent qualifies', at: WED_MORNING_NY, department: 'support', customer: customer('c-1008'), expect: { agentId: 'a-ben', decidedBy: 'known-agent' } },
  { name: 'known agent busy: load balancing instead, with the reason', at: WED_MORNING_NY, department: 'support', customer: customer('c-1008'), agents: { 'a-ben': busy(1) }, expect: { agentId: 'a-ana', decidedBy: 'load-balancing', reasons: [/Last agent a-ben does not qualify now/] } },
  // Rule 10: load balancing.
  { name: 'fewest active transfers first', at: WED_MORNING_NY, department: 'billing', agents: { 'a-ana': busy(0), 'a-chloe': busy(1) }, expect: { agentId: 'a-ana' } },
  { name: 'tie on load: the agent idle longest (never assigned beats assigned)', at: WED_MORNING_NY, department: 'billing', agents: { 'a-ana': { status: 'available', activeTransfers: 0, lastAssignedAt: '2026-11-25T14:50:00Z' } }, expect: { agentId: 'a-chloe' } },
  { name: 'tie on load: the earlier assignment is idle longer', at: WED_MORNING_NY, department: 'billing', agents: { 'a-ana': { status: 'available', activeTransfers: 0, lastAssignedAt: '2026-11-25T14:50:00Z' }, 'a-chloe': { status: 'available', activeTransfers: 0, lastAssignedAt: '2026-11-25T14:10:00Z' } }, expect: { agentId: 'a-chloe' } },
  { name: 'full tie: agent id ascending', at: WED_MORNING_NY, department: 'support', expect: { agentId: 'a-ana', decidedBy: 'load-balancing' } },
  // Rule 11: relaxation.
  { name: 'relaxation 1: no senior in the office, seniority dropped', at: WED_NOON_LA, department: 'billing', urgency: 'critical', callerNumber: '+14155550123', expect: { office: 'us-west', agentId: 'a-grace', relaxation: 'seniority', reasons: [/Relaxing: seniority relaxed/] } },
  { name: 'relaxation 2: nobody speaks the language, language dropped too', at: WED_MORNING_NY, department: 'sales', customer: customer('c-1004'), expect: { office: 'emea', agentId: 'a-ines', relaxation: 'language', reasons: [/Relaxing: seniority and language relaxed/] } },
  { name: 'relaxation 3: nobody at all, the department line keeping the mode', at: WED_MORNING_NY, department: 'billing', customer: customer('c-1003'), agents: { 'a-ana': offline, 'a-chloe': offline }, expect: { agentId: null, destination: '+12025550151', mode: 'warm-transfer-say-message', relaxation: 'line', decidedBy: 'relaxation' } },
  { name: 'enterprise customer in emea: French-speaking agent, warm with summary', at: WED_MORNING_NY, department: 'support', customer: customer('c-1005'), expect: { office: 'emea', language: 'fr', agentId: 'a-ines', mode: 'warm-transfer-say-summary' } },
  { name: 'Chinese-speaking customer in us-west to sales', at: WED_NOON_LA, department: 'sales', customer: customer('c-1007'), expect: { language: 'zh', agentId: 'a-frank' } },
];

function inputOf(s: Scenario): RoutingInput {
  return {
    ...(s.department ? { department: s.department } : {}),
    ...(s.reason ? { reason: s.reason } : {}),
    urgency: s.urgency ?? 'medium',
    ...(s.callerNumber ? { callerNumber: s.callerNumber } : {}),
    customer: s.customer ?? ANONYMOUS,
    tone: { score: s.angry ? -3 : 0, angry: Boolean(s.angry), negativeWords: s.angry ? 4 : 0 },
    policy,
    agents: s.agents ?? {},
    at: s.at,
    ...(s.exclude ? { exclude: s.exclude } : {}),
  };
}

function destinationOf(destination: { type: string; number?: string; sipUri?: string }): string {
  return destination.type === 'number' ? destination.number! : destination.sipUri!;
}

describe('default routing rules', () => {
  it('cover at least 40 scenarios', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(SCENARIOS)('$name', (s) => {
    const result = route(inputOf(s));
    const decision = finalizeDecision(result, result.state.decided!.agentId);

    const e = s.expect;
    if (e.department !== undefined) expect(decision.department).toBe(e.department);
    if (e.office) expect(decision.trace!.office).toBe(e.office);
    if (e.language) expect(decision.trace!.language).toBe(e.language);
    if (e.mode) expect(decision.mode).toBe(e.mode);
    if (e.agentId !== undefined) expect(decision.agentId).toBe(e.agentId);
    if (e.destination) expect(destinationOf(decision.destination)).toBe(e.destination);
    if (e.decidedBy) expect(decision.decidedBy).toBe(e.decidedBy);
    if (e.candidateOffices) expect(decision.trace!.candidateOffices).toEqual(e.candidateOffices);
    if (e.relaxation) expect(decision.trace!.relaxation).toBe(e.relaxation);
    for (const pattern of e.reasons ?? []) expect(decision.reasons.join('\n')).toMatch(pattern);
    // Every decision is explained and carries a destination Vapi accepts on a controlUrl.
    expect(decision.reasons.length).toBeGreaterThan(0);
    expect(['number', 'sip']).toContain(decision.destination.type);
    expect(decision.destination).toMatchObject({ transferPlan: { mode: decision.mode } });
  });
});

describe('decision trace and warm message', () => {
  it('lists every candidate agent with why it was dropped, and marks the one picked', () => {
    const result = route(inputOf({ name: '', at: WED_MORNING_NY, department: 'billing', agents: { 'a-ana': offline } , expect: {} }));
    const decision = finalizeDecision(result, 'a-chloe');

    expect(decision.trace!.candidates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ agentId: 'a-ana', verdict: 'dropped', why: ['is offline'] }),
        expect.objectContaining({ agentId: 'a-chloe', verdict: 'picked', why: [] }),
        expect.objectContaining({ agentId: 'a-grace', verdict: 'dropped', why: ['office us-west is not a candidate office'] }),
        expect.objectContaining({ agentId: 'a-jonas', verdict: 'dropped', why: ['office emea is not a candidate office', 'does not speak en'] }),
      ]),
    );
  });

  it('tells the receiving agent who is calling, the department and the reason in say-message modes', () => {
    const result = route(inputOf({ name: '', at: WED_MORNING_NY, department: 'billing', reason: 'charged twice this month', customer: customer('c-1003'), expect: {} }));
    const decision = finalizeDecision(result, 'a-ana');

    expect(decision.destination).toEqual({
      type: 'number',
      number: '+12025550101',
      transferPlan: { mode: 'warm-transfer-say-message', message: 'Incoming billing call from Lucia Fernandez, premium customer about: charged twice this month.' },
    });
  });

  it('moves to the next agent in line when the chosen one was reserved by another call meanwhile', () => {
    const result = route(inputOf({ name: '', at: WED_MORNING_NY, department: 'support', expect: {} }));
    const decision = finalizeDecision(result, 'a-ben');

    expect(decision.agentId).toBe('a-ben');
    expect(decision.reasons.at(-1)).toBe('a-ana was taken by another call a moment ago; reserved a-ben, next in line.');
  });

  it('falls back to the next agent, then the department line, then the general line', () => {
    const result = route(inputOf({ name: '', at: WED_MORNING_NY, department: 'support', expect: {} }));
    const decision = finalizeDecision(result, 'a-ana');

    expect(decision.fallbacks!.map((f) => f.label)).toEqual(['agent a-ben', 'support line', 'general line']);
  });

  it("takes rule 6's modes from the routing file's transfer-modes, keeping the defaults for tiers it leaves out", () => {
    const text = readFileSync(DEFAULT_ROUTING_CONFIG, 'utf8');
    const changed = routingPolicyOf(parseContactCenterText(text.replace('enterprise: warm-transfer-say-summary', 'enterprise: blind-transfer'), 'changed.yaml'));
    const misspelt = text.replace('enterprise: warm-transfer-say-summary', 'enterprise: warm-transfer-say-summery');

    const enterprise = route({ ...inputOf({ name: '', at: WED_MORNING_NY, department: 'billing', customer: customer('c-1001'), expect: {} }), policy: changed });
    const premium = route({ ...inputOf({ name: '', at: WED_MORNING_NY, department: 'billing', customer: customer('c-1003'), expect: {} }), policy: changed });

    expect(enterprise.state.mode).toBe('blind-transfer');
    expect(premium.state.mode).toBe('warm-transfer-say-message');
    expect(() => parseContactCenterText(misspelt, 'bad.yaml')).toThrow(/transfer-modes\.enterprise: .*did you mean "warm-transfer-say-summary"/);
  });
});
