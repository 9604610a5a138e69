import { routingPolicyOf } from '../../src/config/contact-center';
import type { RoutingDecision } from '../../src/contracts';
import { destinationLabel, labelDestination } from '../../src/routing/labels';
import { demoContactCenter } from '../support/factories';

const policy = routingPolicyOf(demoContactCenter());
const decided = (fields: Partial<RoutingDecision>): Pick<RoutingDecision, 'agentId' | 'department' | 'decidedBy' | 'destination'> => ({
  agentId: null,
  department: 'billing',
  decidedBy: 'relaxation',
  destination: policy.departments.find((department) => department.id === 'billing')!.line,
  ...fields,
});

describe('naming where a call went', () => {
  it("names a billing caller's after-hours destination by its line, not as the billing line", () => {
    expect(destinationLabel(decided({ decidedBy: 'office-hours', destination: policy.lines['after-hours-voicemail'] }), policy)).toBe('after-hours voicemail');
    expect(destinationLabel(decided({ decidedBy: 'office-hours', destination: policy.lines['enterprise-24x7'] }), policy)).toBe('enterprise-24x7 line');
    expect(destinationLabel(decided({ decidedBy: 'fallback', destination: policy.lines.general }), policy)).toBe('general line');
    expect(destinationLabel(decided({}), policy)).toBe('billing line');
    expect(destinationLabel(decided({ agentId: 'a-ana', decidedBy: 'load-balancing', destination: policy.agents[0]!.destination }), policy)).toBe('agent a-ana');
  });

  it('without the routing file, names what the deciding step implies and never the department line for rule 7', () => {
    expect(destinationLabel(decided({ decidedBy: 'office-hours', destination: policy.lines['after-hours-voicemail'] }))).toBe('an after-hours line');
    expect(destinationLabel(decided({ department: null, decidedBy: 'department', destination: policy.lines.general }))).toBe('general line');
    expect(destinationLabel(decided({ decidedBy: 'reservation' }))).toBe('billing line');
  });

  it('names a destination of the routing file by its number or SIP URI, agents first, and none that the file lacks', () => {
    expect(labelDestination(policy.agents[1]!.destination, policy)).toBe(`agent ${policy.agents[1]!.id}`);
    expect(labelDestination({ type: 'sip', sipUri: 'sip:voicemail@pbx.example.com' }, policy)).toBe('after-hours voicemail');
    expect(labelDestination({ type: 'number', number: '+19995550000' }, policy)).toBeNull();
  });
});
