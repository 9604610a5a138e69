import type { AgentState } from '../../src/contracts';
import { newAgentState } from '../../src/contracts';
import type { AgentWorkflowClient } from '../../src/integrations/agent-directory';
import { TemporalAgentDirectory } from '../../src/integrations/agent-directory';
import { reduceAgent } from '../../src/workflows/v1/agent/reservations';

/** Agents' workflows played in memory with the real reducer; counts the reads the directory makes. */
function fakeAgents(now: () => number) {
  const states = new Map<string, AgentState>();
  const queried: string[] = [];
  const agentOf = (workflowId: string) => workflowId.split(':').at(-1)!;
  const apply = (workflowId: string, name: string, arg: Record<string, unknown>) => {
    const agentId = agentOf(workflowId);
    const command = name === 'reserve' ? { type: 'reserve' as const, ...(arg as { transferId: string; maxConcurrent: number; ttlSeconds: number }) } : name === 'release' ? { type: 'release' as const, transferId: String(arg.transferId) } : { type: 'set-status' as const, status: arg.status as AgentState['status'] };
    const next = reduceAgent(states.get(agentId) ?? newAgentState(), command, now());
    states.set(agentId, next.state);
    return name === 'setStatus' ? next.state : name === 'reserve' ? { reserved: next.applied, state: next.state } : { released: next.applied, state: next.state };
  };
  const client = {
    withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
    getHandle: (workflowId: string) => ({
      query: async () => {
        queried.push(agentOf(workflowId));
        return states.get(agentOf(workflowId)) ?? newAgentState();
      },
      executeUpdate: async (definition: { name: string }, { args }: { args: [Record<string, unknown>] }) => apply(workflowId, definition.name, args[0]),
    }),
    executeUpdateWithStart: async () => {
      throw new Error('every agent workflow is running in this fake');
    },
  } as unknown as AgentWorkflowClient;
  return { client, states, queried };
}

describe('the agent directory view routing reads', () => {
  it('counts agents it never touched as available, and reads back only those it shows busy or offline once stale', async () => {
    let clock = Date.parse('2026-11-25T15:00:00Z');
    const now = () => clock;
    const agents = fakeAgents(now);
    const directory = new TemporalAgentDirectory(agents.client, 'queue', { maxAgeMs: 2_000, now });

    await directory.reserve({ transferId: 't1', candidates: [{ agentId: 'a-ana', maxConcurrent: 1 }], ttlSeconds: 600 });
    await directory.setStatus('a-ben', 'offline');
    const before = await directory.liveStates(['a-ana', 'a-ben', 'a-chloe']);
    // Another process frees a-ana and brings a-ben back; this one learns it only by reading them again.
    agents.states.set('a-ana', { ...agents.states.get('a-ana')!, reservations: [] });
    agents.states.set('a-ben', { ...agents.states.get('a-ben')!, status: 'available' });
    clock += 2_500;
    await directory.liveStates(['a-ana', 'a-ben', 'a-chloe']);
    await new Promise((resolve) => setImmediate(resolve));
    const after = await directory.liveStates(['a-ana', 'a-ben', 'a-chloe']);

    expect(before).toMatchObject({ 'a-ana': { activeTransfers: 1 }, 'a-ben': { status: 'offline' }, 'a-chloe': { status: 'available', activeTransfers: 0 } });
    expect(agents.queried.sort()).toEqual(['a-ana', 'a-ben']);
    expect(after).toMatchObject({ 'a-ana': { activeTransfers: 0 }, 'a-ben': { status: 'available' } });
  });

  it('reads every agent when asked for a fresh view (the operator API)', async () => {
    const agents = fakeAgents(Date.now);
    const directory = new TemporalAgentDirectory(agents.client, 'queue');

    await directory.liveStates(['a-ana', 'a-ben'], { fresh: true });

    expect(agents.queried.sort()).toEqual(['a-ana', 'a-ben']);
  });
});
