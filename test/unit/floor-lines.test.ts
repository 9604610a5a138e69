import fc from 'fast-check';
import type { AgentCriteria, FloorDepartment, QueueSettings, Roster, RosterAgent } from '../../src/contracts';
import { DEFAULT_QUEUE } from '../../src/contracts';
import { estimateWaitSeconds, priorityClass } from '../../src/routing/line-rules';
import { FloorModel, emptyFloorState } from '../../src/routing/floor-model';

const care: AgentCriteria = { department: 'care', candidateOffices: ['hq'], language: 'en', seniorRequired: false, knownAgent: null, exclude: [] };
const billing: AgentCriteria = { ...care, department: 'billing' };

const agent = (id: string, fields: Partial<RosterAgent> = {}): RosterAgent => ({ id, office: 'hq', skills: ['care'], languages: ['en'], tier: 'junior', maxConcurrent: 1, ...fields });

function rosterOf(agents: RosterAgent[], queue: Partial<QueueSettings> | null = {}, departments = ['care', 'billing']): Roster {
  const withLine = (id: string): FloorDepartment => ({ id, afterCallSeconds: 3_600, wrapUpSeconds: 10, ...(queue ? { queue: { ...DEFAULT_QUEUE, ...queue } } : {}) });
  return { version: 'unit', agents, departments: departments.map(withLine) };
}

const floorOf = (roster: Roster) => new FloorModel(emptyFloorState(roster, 0));
const wait = (floor: FloorModel, transferId: string, now: number, criteria = care, priority = 0) => floor.reserve(transferId, criteria, 600, now, { priority });
/** An agent's call ends: marked ready, which frees them for the next caller. */
const ready = (floor: FloorModel, agentId: string, now: number) => floor.apply({ type: 'set-status', agentId, status: 'available' }, now);

function busyFloor(agents: RosterAgent[], queue: Partial<QueueSettings> | null = {}): FloorModel {
  const floor = floorOf(rosterOf(agents, queue));
  agents.forEach((one, index) => {
    const reply = floor.reserve(`busy-${index}`, { ...care, department: one.skills[0]!, knownAgent: one.id, seniorRequired: false, language: one.languages[0]! }, 600, 0);
    expect(reply.agentId).toBe(one.id);
    floor.notice({ type: 'connected', transferId: `busy-${index}`, agentId: one.id, department: one.skills[0]! }, 0);
  });
  floor.takeNotices();
  return floor;
}

describe('waiting in line', () => {
  it('puts callers in line when every qualified agent is busy, and gives each freed agent to the caller who waited longest', () => {
    const floor = busyFloor([agent('a1'), agent('a2'), agent('a3')]);

    const places = ['c1', 'c2', 'c3', 'c4', 'c5'].map((id, index) => wait(floor, id, 1_000 * (index + 1)));
    expect(places.map((reply) => [reply.agentId, reply.queued?.position])).toEqual([
      [null, 1],
      [null, 2],
      [null, 3],
      [null, 4],
      [null, 5],
    ]);
    expect(places[4]!.reasons.at(-1)).toMatch(/All 3 qualified agents are busy: waiting in care's line, position 5/);

    ready(floor, 'a2', 30_000);
    const notices = floor.takeNotices();
    expect(notices[0]).toEqual({ to: 'c1', notice: { type: 'assigned', agentId: 'a2', waitedSeconds: 29 } });
    // Everyone behind moved up one; each is told (more than 10 s since they were last told).
    expect(notices.slice(1)).toEqual([
      { to: 'c2', notice: expect.objectContaining({ type: 'position', position: 1 }) },
      { to: 'c3', notice: expect.objectContaining({ type: 'position', position: 2 }) },
      { to: 'c4', notice: expect.objectContaining({ type: 'position', position: 3 }) },
      { to: 'c5', notice: expect.objectContaining({ type: 'position', position: 4 }) },
    ]);
    expect(floor.liveState('a2', 30_000)).toMatchObject({ state: 'reserved' });
    expect(floor.lines(30_000)[0]).toMatchObject({ department: 'care', waiting: 4, serviceLevel: { targetSeconds: 60, answered: 1, withinTarget: 1 } });
  });

  it('serves priority callers first, and ages everyone else up so nobody waits for ever behind them', () => {
    const floor = busyFloor([agent('a1'), agent('a2')], { priorityAgingSeconds: 120 });
    wait(floor, 'standard', 0, care, priorityClass('standard', 'medium'));
    expect(wait(floor, 'enterprise', 10_000, care, priorityClass('enterprise', 'medium')).queued?.position).toBe(1);
    ready(floor, 'a1', 20_000);
    expect(floor.takeNotices()[0]).toEqual({ to: 'enterprise', notice: expect.objectContaining({ type: 'assigned', agentId: 'a1' }) });

    // 250 s in, the standard caller has aged two classes: a premium caller arriving now (1) goes behind them,
    // and an enterprise caller (2) too, as the standard caller joined first.
    expect(wait(floor, 'premium', 250_000, care, priorityClass('premium', 'medium')).queued?.position).toBe(2);
    expect(wait(floor, 'enterprise-2', 250_000, care, priorityClass('standard', 'critical')).queued?.position).toBe(2);
    ready(floor, 'a2', 250_000);
    expect(floor.takeNotices()[0]).toEqual({ to: 'standard', notice: expect.objectContaining({ type: 'assigned', agentId: 'a2' }) });
  });

  it('sends a caller whose agent did not pick up back to the front of the line', () => {
    const floor = busyFloor([agent('a1')]);
    wait(floor, 'first', 0);
    const back = floor.apply({ type: 'join-line', transferId: 'unlucky', criteria: { ...care, exclude: ['a9'] }, basePass: 'none', priority: 0, joinedAt: 5_000, front: true, callback: false }, 5_000);

    expect(back).toMatchObject({ type: 'in-line', place: { position: 1, waiting: 2 } });
  });

  it('turns a caller away when the line is full, so they reach the department line at once', () => {
    const floor = busyFloor([agent('a1')], { maxWaiting: 2 });
    wait(floor, 'c1', 0);
    wait(floor, 'c2', 0);

    const third = wait(floor, 'c3', 0);

    expect(third).toMatchObject({ agentId: null, lineFull: true, decidedBy: 'line' });
    expect(third.queued).toBeUndefined();
    expect(floor.lines(0)[0]!.waiting).toBe(2);
  });

  it('frees an agent reserved for a caller who left the line at the same moment', () => {
    const floor = busyFloor([agent('a1')]);
    wait(floor, 'c1', 0);
    ready(floor, 'a1', 1_000);
    expect(floor.liveState('a1', 1_000).state).toBe('reserved');

    floor.notice({ type: 'leave', transferId: 'c1' }, 1_001);

    expect(floor.liveState('a1', 1_001)).toMatchObject({ state: 'available', activeTransfers: 0 });
  });

  it('keeps a caller waiting for a senior agent until the line relaxes seniority, then gives them anyone qualified', () => {
    const queue = { relax: [{ afterSeconds: 90, drop: 'seniority' as const }], updateEverySeconds: 600 };
    const floor = busyFloor([agent('senior', { tier: 'senior' })], queue);
    const joined = wait(floor, 'c1', 0, { ...care, seniorRequired: true });
    floor.apply({ type: 'sync-roster', roster: rosterOf([agent('senior', { tier: 'senior' }), agent('junior')], queue) }, 1_000);
    expect(joined.queued).toMatchObject({ position: 1, basePass: 'none' });
    expect(floor.takeNotices().filter((notice) => notice.notice.type === 'assigned')).toEqual([]);

    expect(floor.nextDeadline(1_000)).toBe(90_000);
    floor.sweep(90_000);

    expect(floor.takeNotices()).toContainEqual({ to: 'c1', notice: { type: 'assigned', agentId: 'junior', waitedSeconds: 90 } });
  });

  it('relaxes at once, as rule 11 always did, in a line without relax steps: a caller waits only when nobody they could have is free', () => {
    const floor = busyFloor([agent('senior', { tier: 'senior' })]);
    floor.apply({ type: 'sync-roster', roster: rosterOf([agent('senior', { tier: 'senior' }), agent('junior')]) }, 0);

    expect(wait(floor, 'c1', 0, { ...care, seniorRequired: true })).toMatchObject({ agentId: 'junior', pass: 'seniority' });
    expect(wait(floor, 'c2', 0, { ...care, seniorRequired: true })).toMatchObject({ agentId: null, queued: { position: 1, basePass: 'language' } });
  });

  it('goes to the department line as before when the department has no line, or nobody qualified is even logged in', () => {
    const noLine = busyFloor([agent('a1')], null);
    expect(wait(noLine, 'c1', 0)).toMatchObject({ agentId: null, pass: 'line' });
    expect(wait(noLine, 'c1', 0).queued).toBeUndefined();

    const loggedOut = floorOf(rosterOf([agent('a1')]));
    loggedOut.setStatus('a1', 'offline', 0);
    expect(wait(loggedOut, 'c1', 0).queued).toBeUndefined();
  });

  it('gives an agent of two departments the caller who has waited longest across both lines', () => {
    const floor = busyFloor([agent('both', { skills: ['care', 'billing'] })]);
    wait(floor, 'care-caller', 5_000, care);
    wait(floor, 'billing-caller', 2_000, billing);

    ready(floor, 'both', 10_000);

    expect(floor.takeNotices()[0]).toEqual({ to: 'billing-caller', notice: expect.objectContaining({ type: 'assigned', agentId: 'both' }) });
  });

  it('does not offer an agent to a callback before its time, and lets the callback take over the place of the call it replaces', () => {
    const floor = busyFloor([agent('a1')], { updateEverySeconds: 600 });
    wait(floor, 'call', 0);
    floor.apply({ type: 'join-line', transferId: 'callback', replaces: 'call', criteria: care, basePass: 'none', priority: 0, joinedAt: 0, front: false, callback: true, notBefore: 60_000 }, 1_000);
    expect(floor.lines(1_000)[0]).toMatchObject({ waiting: 1, callbacksDue: 1, entries: [{ transferId: 'callback', callback: true }] });

    ready(floor, 'a1', 2_000);
    expect(floor.takeNotices().filter((notice) => notice.notice.type === 'assigned')).toEqual([]);
    expect(floor.nextDeadline(2_000)).toBe(60_000);

    floor.sweep(60_000);
    expect(floor.takeNotices()).toContainEqual({ to: 'callback', notice: { type: 'assigned', agentId: 'a1', waitedSeconds: 60 } });
  });

  it('tells every waiting caller their place again each update interval, even when it has not changed', () => {
    const floor = busyFloor([agent('a1')], { updateEverySeconds: 45 });
    wait(floor, 'c1', 0);
    expect(floor.nextDeadline(0)).toBe(45_000);

    floor.sweep(45_000);

    expect(floor.takeNotices()).toEqual([{ to: 'c1', notice: { type: 'position', position: 1, estimateSeconds: 3_600 } }]);
  });

  it('estimates a wait from the department recent handle times, callers ahead served by every logged-in agent side by side', () => {
    expect(estimateWaitSeconds(1, 2, [], 300)).toBe(300);
    expect(estimateWaitSeconds(3, 2, [100, 200], 300)).toBe(300);
    expect(estimateWaitSeconds(4, 0, [60], 300)).toBe(240);

    const floor = busyFloor([agent('a1')]);
    floor.takeNotices();
    ready(floor, 'a1', 40_000); // a 40 s call
    expect(wait(floor, 'c0', 40_000).agentId).toBe('a1');
    expect(wait(floor, 'c1', 40_000).queued).toMatchObject({ position: 1, estimateSeconds: 40 });
  });

  it('never books an agent beyond capacity and serves each waiting caller at most once, whatever happens in whatever order', () => {
    const event = fc.oneof(
      fc.record({ kind: fc.constant('call' as const), caller: fc.integer({ min: 0, max: 11 }), priority: fc.integer({ min: 0, max: 2 }), billing: fc.boolean() }),
      fc.record({ kind: fc.constant('ready' as const), agent: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('leave' as const), caller: fc.integer({ min: 0, max: 11 }) }),
      fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 200 }) }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 80 }), (events) => {
        const agents = [agent('g0'), agent('g1', { maxConcurrent: 2 }), agent('g2', { skills: ['care', 'billing'] }), agent('g3', { skills: ['billing'] })];
        const floor = floorOf(rosterOf(agents, { maxWaiting: 5 }));
        const assigned = new Map<string, number>();
        let now = 0;
        for (const step of events) {
          if (step.kind === 'tick') {
            now += step.seconds * 1000;
            floor.sweep(now);
          } else if (step.kind === 'call') {
            const reply = floor.reserve(`c${step.caller}`, step.billing ? billing : care, 600, now, { priority: step.priority });
            if (reply.agentId) floor.notice({ type: 'connected', transferId: `c${step.caller}`, agentId: reply.agentId, department: step.billing ? 'billing' : 'care' }, now);
          } else if (step.kind === 'ready') {
            ready(floor, agents[step.agent]!.id, now);
          } else {
            floor.notice({ type: 'leave', transferId: `c${step.caller}` }, now);
          }
          for (const { to, notice } of floor.takeNotices()) if (notice.type === 'assigned') assigned.set(to, (assigned.get(to) ?? 0) + 1);
          for (const one of agents) expect(floor.liveState(one.id, now).activeTransfers).toBeLessThanOrEqual(one.maxConcurrent);
          for (const line of floor.lines(now)) expect(line.waiting).toBeLessThanOrEqual(5);
        }
        // A caller is told of an agent once per time they waited: they cannot wait again while in line.
        for (const [caller, times] of assigned) expect(times).toBeLessThanOrEqual(events.filter((step) => step.kind === 'call' && `c${step.caller}` === caller).length);
      }),
      { numRuns: 300 },
    );
  });
});
