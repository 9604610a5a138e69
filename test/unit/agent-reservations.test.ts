import { liveState, newAgentState } from '../../src/contracts';
import type { AgentState } from '../../src/contracts';
import { reduceAgent } from '../../src/workflows/v1/agent/reservations';

const T0 = Date.parse('2026-11-25T15:00:00Z');
const reserve = (transferId: string, maxConcurrent = 2, ttlSeconds = 60) => ({ type: 'reserve' as const, transferId, maxConcurrent, ttlSeconds });

function run(state: AgentState, ...steps: [Parameters<typeof reduceAgent>[1], number][]): { state: AgentState; applied: boolean[] } {
  const applied: boolean[] = [];
  for (const [command, at] of steps) {
    const next = reduceAgent(state, command, at);
    state = next.state;
    applied.push(next.applied);
  }
  return { state, applied };
}

describe('the agent reservation reducer', () => {
  it('books an agent up to maxConcurrent and refuses the next transfer', () => {
    const { state, applied } = run(newAgentState(), [reserve('t1'), T0], [reserve('t2'), T0], [reserve('t3'), T0]);

    expect(applied).toEqual([true, true, false]);
    expect(state.reservations.map((r) => r.transferId)).toEqual(['t1', 't2']);
    expect(state.lastAssignedAt).toBe(new Date(T0).toISOString());
  });

  it('treats a repeated reservation of the same transfer as that reservation, even when the agent is full', () => {
    const { state, applied } = run(newAgentState(), [reserve('t1', 1), T0], [reserve('t1', 1), T0 + 1000]);

    expect(applied).toEqual([true, true]);
    expect(state.reservations).toHaveLength(1);
  });

  it('refuses reservations while the agent is offline', () => {
    const { applied } = run(newAgentState(), [{ type: 'set-status', status: 'offline' }, T0], [reserve('t1'), T0]);

    expect(applied).toEqual([true, false]);
  });

  it('drops reservations past their TTL, so the capacity comes back without a release', () => {
    const { state, applied } = run(newAgentState(), [reserve('t1', 1, 10), T0], [reserve('t2', 1, 10), T0 + 9_000], [reserve('t2', 1, 10), T0 + 10_000]);

    expect(applied).toEqual([true, false, true]);
    expect(state.reservations.map((r) => r.transferId)).toEqual(['t2']);
  });

  it('releases once; a second release changes nothing', () => {
    const { state, applied } = run(newAgentState(), [reserve('t1'), T0], [{ type: 'release', transferId: 't1' }, T0], [{ type: 'release', transferId: 't1' }, T0]);

    expect(applied).toEqual([true, true, false]);
    expect(state.reservations).toEqual([]);
  });

  it('counts only live reservations in the state routing reads, whatever the workflow last saw', () => {
    const { state } = run(newAgentState(), [reserve('t1', 2, 10), T0], [reserve('t2', 2, 100), T0]);

    expect(liveState(state, T0 + 5_000).activeTransfers).toBe(2);
    expect(liveState(state, T0 + 20_000).activeTransfers).toBe(1);
  });
});
