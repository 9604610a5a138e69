import fc from 'fast-check';
import type { AgentCriteria, FloorCommand, FloorNotice, Roster } from '../../src/contracts';
import { FloorModel, TRACE_SIZE, emptyFloorState } from '../../src/routing/floor-model';

const care: AgentCriteria = { department: 'care', candidateOffices: ['hq'], language: 'en', seniorRequired: false, knownAgent: null, exclude: [] };

function roster(count: number, capacity: (index: number) => number = () => 1): Roster {
  return {
    version: 'unit',
    agents: Array.from({ length: count }, (_, i) => ({ id: `ag-${String(i).padStart(4, '0')}`, office: 'hq', skills: ['care', `d-${i % 50}`], languages: ['en'], tier: i % 3 === 0 ? ('senior' as const) : ('junior' as const), maxConcurrent: capacity(i) })),
    departments: [{ id: 'care', afterCallSeconds: 10, wrapUpSeconds: 5 }],
  };
}

const floorOf = (theRoster: Roster, now = 0) => new FloorModel(emptyFloorState(theRoster, now));
const reserve = (floor: FloorModel, transferId: string, now: number, criteria = care, ttlSeconds = 600) => floor.reserve(transferId, criteria, ttlSeconds, now);

describe('the floor model', () => {
  it('gives the least loaded agent, then the one idle longest, and reserves them in the same step', () => {
    const floor = floorOf(roster(3));

    const first = reserve(floor, 't-1', 1_000);
    const second = reserve(floor, 't-2', 2_000);

    expect(first.agentId).toBe('ag-0000');
    expect(second.agentId).toBe('ag-0001');
    expect(floor.liveState('ag-0000', 2_000)).toMatchObject({ state: 'reserved', activeTransfers: 1 });
  });

  it('prefers the known agent when they qualify, in a relaxed pass too', () => {
    const floor = floorOf(roster(6));

    const strict = reserve(floor, 't-1', 0, { ...care, knownAgent: 'ag-0004' });
    // Both seniors (ag-0000, ag-0003) busy: a caller who needs one is relaxed to any agent, and their known junior wins.
    reserve(floor, 't-2', 0, { ...care, knownAgent: 'ag-0000' });
    reserve(floor, 't-3', 0, { ...care, knownAgent: 'ag-0003' });
    const relaxed = reserve(floor, 't-4', 0, { ...care, knownAgent: 'ag-0005', seniorRequired: true });

    expect(strict).toMatchObject({ agentId: 'ag-0004', decidedBy: 'known-agent' });
    expect(relaxed).toMatchObject({ agentId: 'ag-0005', pass: 'seniority', decidedBy: 'known-agent' });
  });

  it('keeps the caller with the agent after the call connected until they are ready, or until the after-call time', () => {
    const floor = floorOf(roster(1));
    reserve(floor, 't-1', 0);
    floor.notice({ type: 'connected', transferId: 't-1', agentId: 'ag-0000', department: 'care' }, 1_000);

    expect(reserve(floor, 't-2', 5_000).agentId).toBeNull();
    expect(floor.liveState('ag-0000', 5_000)).toMatchObject({ state: 'on-call' });
    // 10 s after-call time: free again at 11 s without a word.
    expect(floor.liveState('ag-0000', 11_000)).toMatchObject({ state: 'available', activeTransfers: 0, since: new Date(11_000).toISOString() });
    expect(reserve(floor, 't-3', 11_000).agentId).toBe('ag-0000');
  });

  it('ends a hold at once when the agent is marked ready, and after the wrap-up time when they say the call ended', () => {
    const floor = floorOf(roster(2));
    reserve(floor, 't-1', 0);
    reserve(floor, 't-2', 0);
    floor.notice({ type: 'connected', transferId: 't-1', agentId: 'ag-0000', department: 'care' }, 0);
    floor.notice({ type: 'connected', transferId: 't-2', agentId: 'ag-0001', department: 'care' }, 0);

    floor.setStatus('ag-0000', 'available', 2_000);
    floor.setStatus('ag-0001', 'wrap-up', 2_000);

    expect(floor.liveState('ag-0000', 2_000)).toMatchObject({ state: 'available' });
    expect(floor.liveState('ag-0001', 6_999)).toMatchObject({ state: 'wrap-up' });
    expect(floor.liveState('ag-0001', 7_000)).toMatchObject({ state: 'available' });
  });

  it('answers a repeated reservation of one transfer with the same agent, and releases it first when the request excludes them', () => {
    const floor = floorOf(roster(2));
    const first = reserve(floor, 't-1', 0);

    const again = reserve(floor, 't-1', 100);
    const elsewhere = reserve(floor, 't-1', 200, { ...care, exclude: [first.agentId!] });

    expect(again.agentId).toBe(first.agentId);
    expect(elsewhere.agentId).not.toBe(first.agentId);
    expect(floor.liveState(first.agentId!, 200).activeTransfers).toBe(0);
  });

  it('reports what changed since a revision, and everything after a roster change', () => {
    const floor = floorOf(roster(4));
    const before = floor.changes(0, 0);
    reserve(floor, 't-1', 10);
    floor.setStatus('ag-0003', 'offline', 20);

    const since = floor.changes(before.revision, 30);
    floor.syncRoster(roster(5), 40);
    const afterSync = floor.changes(since.revision, 50);

    expect(before).toMatchObject({ full: true });
    expect(before.agents).toHaveLength(4);
    expect(since).toMatchObject({ full: false });
    expect(since.agents.map((agent) => [agent.id, agent.state])).toEqual([
      ['ag-0000', 'reserved'],
      ['ag-0003', 'offline'],
    ]);
    expect(since.departments.find((department) => department.id === 'care')).toMatchObject({ agents: 4, counts: { available: 2, reserved: 1, offline: 1 } });
    expect(afterSync).toMatchObject({ full: true });
    expect(afterSync.agents).toHaveLength(5);
  });

  it('answers a reservation at 5,000 agents with at most its top candidates, whatever the department size', () => {
    const floor = floorOf(roster(5_000, (i) => (i % 2) + 1));

    const reply = reserve(floor, 't-1', 0);

    expect(reply.agentId).not.toBeNull();
    expect(reply.considered).toBe(5_000);
    expect(reply.candidates.length).toBeLessThanOrEqual(TRACE_SIZE);
    expect(JSON.stringify(reply).length).toBeLessThan(8 * 1024);
  });

  it('never holds an agent beyond maxConcurrent, whatever the order of reservations, connections, releases, statuses and time', () => {
    const theRoster = roster(5, (i) => (i % 2) + 1);
    const ids = theRoster.agents.map((agent) => agent.id);
    const step = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), transfer: fc.integer({ min: 0, max: 20 }), exclude: fc.subarray(ids, { maxLength: 2 }), ttl: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ kind: fc.constant('listed' as const), transfer: fc.integer({ min: 0, max: 20 }), candidates: fc.shuffledSubarray(ids) }),
      fc.record({ kind: fc.constant('connect' as const), transfer: fc.integer({ min: 0, max: 20 }), agent: fc.constantFrom(...ids) }),
      fc.record({ kind: fc.constant('release' as const), transfer: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('status' as const), agent: fc.constantFrom(...ids), status: fc.constantFrom('available' as const, 'wrap-up' as const, 'offline' as const) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 15_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const floor = floorOf(theRoster);
        let now = 0;
        for (const s of steps) {
          const transferId = 'transfer' in s ? `t-${s.transfer}` : '';
          let command: FloorCommand | undefined;
          let notice: FloorNotice | undefined;
          if (s.kind === 'reserve') command = { type: 'reserve', transferId, criteria: { ...care, exclude: s.exclude }, ttlSeconds: s.ttl };
          if (s.kind === 'listed') command = { type: 'reserve-listed', transferId, candidates: s.candidates, ttlSeconds: 60 };
          if (s.kind === 'status') command = { type: 'set-status', agentId: s.agent, status: s.status };
          if (s.kind === 'connect') notice = { type: 'connected', transferId, agentId: s.agent, department: 'care' };
          if (s.kind === 'release') notice = { type: 'release', transferId };
          if (s.kind === 'wait') {
            now += s.ms;
            floor.sweep(now);
          }
          const before = new Map(ids.map((id) => [id, floor.liveState(id, now).activeTransfers]));
          if (command) floor.apply(command, now);
          if (notice) floor.notice(notice, now);
          for (const agent of theRoster.agents) {
            const load = floor.liveState(agent.id, now).activeTransfers;
            // A reservation never takes an agent past capacity; only a connection the floor never reserved (its
            // reservation expired meanwhile: the caller is with them anyway) may, and never by reserving.
            if (command && load > before.get(agent.id)!) expect(load).toBeLessThanOrEqual(agent.maxConcurrent);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
