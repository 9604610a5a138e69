import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { rosterOf } from '../../src/config/contact-center';
import type { AgentCriteria, FloorInput, FloorWorkflow, Roster } from '../../src/contracts';
import { FLOOR_WORKFLOW_TYPE, floorTaskQueue, floorWorkflowId } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { TemporalFloorClient } from '../../src/integrations/floor-client';
import { activitiesWith, demoContactCenter } from '../support/factories';
import { HISTORY_SCENARIOS } from '../support/history-scenarios';
import { connectTestEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';
import { startTestWorkers } from '../support/workers';

let env: TestWorkflowEnvironment;
let control: FakeControlServer;

beforeAll(async () => {
  env = await connectTestEnv();
  control = await startFakeControlServer();
});

afterAll(async () => {
  await control?.close();
  await env?.teardown();
});

/** `count` agents in one department and office, all speaking English, capacity 1 or 2. */
function roster(count: number, departments: { afterCallSeconds: number; wrapUpSeconds: number } = { afterCallSeconds: 300, wrapUpSeconds: 60 }): Roster {
  return {
    version: `test-${count}`,
    agents: Array.from({ length: count }, (_, i) => ({ id: `ag-${String(i).padStart(3, '0')}`, office: 'hq', skills: ['care'], languages: ['en'], tier: 'junior' as const, maxConcurrent: (i % 2) + 1 })),
    departments: [{ id: 'care', ...departments }],
  };
}

const care: AgentCriteria = { department: 'care', candidateOffices: ['hq'], language: 'en', seniorRequired: false, knownAgent: null, exclude: [] };

/** The floor's workers on a queue of their own, and a client as a worker or the API would have it. */
async function floorOn(theRoster: Roster, input?: Omit<FloorInput, 'roster'>) {
  const taskQueue = uniqueTaskQueue('floor');
  if (input) {
    await env.client.workflow.start<FloorWorkflow>(FLOOR_WORKFLOW_TYPE, { workflowId: floorWorkflowId(taskQueue), taskQueue: floorTaskQueue(taskQueue), args: [{ roster: theRoster, ...input }] });
  }
  const workers = await startTestWorkers(env, taskQueue, activitiesWith().activities);
  const client = () => new TemporalFloorClient(env.client.workflow, taskQueue, () => theRoster);
  return { taskQueue, workers, client };
}

describe('the floor', () => {
  it('never books an agent beyond maxConcurrent when 200 transfers reserve at once over 20 agents, from two processes', async () => {
    const theRoster = roster(20);
    const capacity = theRoster.agents.reduce((sum, agent) => sum + agent.maxConcurrent, 0);
    const floor = await floorOn(theRoster);
    const [one, two] = [floor.client(), floor.client()];

    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? one : two).reserve({ type: 'reserve', transferId: `t-${i}`, criteria: care, ttlSeconds: 600 })));
    // A repeated reservation of one transfer (a retried workflow task) is that reservation, not a second one.
    const again = await one.reserve({ type: 'reserve', transferId: 't-0', criteria: care, ttlSeconds: 600 });
    const page = await one.page({ limit: 500 });
    await floor.workers.stop();

    const booked = replies.filter((reply) => reply.agentId !== null);
    expect(booked).toHaveLength(capacity);
    expect(new Set(booked.map((reply) => reply.agentId)).size).toBe(20);
    expect(again.agentId).toBe(replies[0]!.agentId);
    for (const agent of page.agents) expect(agent.load).toBe(agent.maxConcurrent);
    expect(page.counts.reserved).toBe(20);
  });

  it('holds an agent after the call reached them until they are marked ready, then gives them the next caller', async () => {
    const floor = await floorOn(roster(1));
    const client = floor.client();

    const first = await client.reserve({ type: 'reserve', transferId: 't-1', criteria: care, ttlSeconds: 600 });
    await client.notify({ type: 'connected', transferId: 't-1', agentId: 'ag-000', department: 'care' });
    const whileOnTheCall = await client.reserve({ type: 'reserve', transferId: 't-2', criteria: care, ttlSeconds: 600 });
    const held = (await client.page({})).agents[0];
    const ready = await client.setStatus('ag-000', 'available');
    const next = await client.reserve({ type: 'reserve', transferId: 't-3', criteria: care, ttlSeconds: 600 });
    await floor.workers.stop();

    expect(first.agentId).toBe('ag-000');
    expect(held).toMatchObject({ state: 'on-call', load: 1, assignments: [expect.objectContaining({ transferId: 't-1', state: 'on-call' })] });
    expect(whileOnTheCall).toMatchObject({ agentId: null, candidates: [expect.objectContaining({ agentId: 'ag-000', verdict: 'dropped', why: ['at capacity (1/1, on-call)'] })] });
    expect(ready).toMatchObject({ type: 'agent', agent: { state: 'available', load: 0 } });
    expect(next.agentId).toBe('ag-000');
  });

  it('frees an agent nobody marks ready once the department’s after-call time has passed, and after wrap-up once the wrap-up time has', async () => {
    const floor = await floorOn(roster(2, { afterCallSeconds: 1, wrapUpSeconds: 1 }));
    const client = floor.client();
    await client.reserve({ type: 'reserve', transferId: 't-1', criteria: care, ttlSeconds: 600 });
    await client.reserve({ type: 'reserve', transferId: 't-2', criteria: care, ttlSeconds: 600 });
    const [a, b] = ['ag-000', 'ag-001'];
    await client.notify({ type: 'connected', transferId: 't-1', agentId: a, department: 'care' });
    await client.notify({ type: 'connected', transferId: 't-2', agentId: b, department: 'care' });
    const wrapping = await client.setStatus(b, 'wrap-up');

    await new Promise((resolve) => setTimeout(resolve, 1_800));
    const after = await client.page({});
    await floor.workers.stop();

    expect(wrapping).toMatchObject({ agent: { state: 'wrap-up' } });
    expect(after.agents.map((agent) => [agent.id, agent.state, agent.load])).toEqual([
      [a, 'available', 0],
      [b, 'available', 0],
    ]);
    // The floor noticed by itself (its timer), not only when asked: the hold ended at its time.
    expect(Date.parse(after.agents[0]!.since)).toBeGreaterThan(Date.now() - 2_000);
  });

  it('releases on request, ends reservations after their TTL, skips offline agents and refuses malformed commands', async () => {
    const floor = await floorOn(roster(3));
    const client = floor.client();

    const kept = await client.reserve({ type: 'reserve', transferId: 'keep', criteria: care, ttlSeconds: 600 });
    const short = await client.reserve({ type: 'reserve', transferId: 'short', criteria: care, ttlSeconds: 1 });
    await client.notify({ type: 'release', transferId: 'keep' });
    await client.notify({ type: 'release', transferId: 'keep' });
    const malformed = await client.reserve({ type: 'reserve', transferId: '', criteria: care, ttlSeconds: 1 }).then(() => 'accepted', () => 'refused');
    const offline = await client.setStatus('ag-002', 'offline');
    const unknown = await client.setStatus('ag-999', 'offline');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const page = await client.page({});
    await floor.workers.stop();

    expect(kept.agentId).not.toBe(short.agentId);
    expect(malformed).toBe('refused');
    expect(offline).toMatchObject({ agent: { state: 'offline' } });
    expect(unknown).toEqual({ type: 'refused', reason: 'no agent ag-999 on the floor' });
    expect(page.agents.map((agent) => [agent.id, agent.state, agent.load])).toEqual([
      ['ag-000', 'available', 0],
      ['ag-001', 'available', 0],
      ['ag-002', 'offline', 0],
    ]);
  });

  it('carries every agent’s state into each new run when it continues as new', async () => {
    const floor = await floorOn(roster(4), { maxEventsPerRun: 25 });
    const client = floor.client();
    const handle = env.client.workflow.getHandle(floorWorkflowId(floor.taskQueue));
    const firstRun = (await handle.describe()).runId;

    for (let i = 0; i < 12; i += 1) await client.reserve({ type: 'reserve', transferId: `t-${i}`, criteria: care, ttlSeconds: 600 });
    await client.notify({ type: 'connected', transferId: 't-0', agentId: 'ag-000', department: 'care' });
    await client.setStatus('ag-003', 'offline');
    for (let i = 12; i < 20; i += 1) await client.notify({ type: 'release', transferId: `t-${i}` });
    const page = await client.page({});
    const lastRun = (await handle.describe()).runId;
    await floor.workers.stop();

    expect(lastRun).not.toBe(firstRun);
    // ag-003 logged out while two reservations still hold it: they end as they would.
    expect(page.agents.map((agent) => [agent.id, agent.state, agent.presence, agent.load])).toEqual([
      ['ag-000', 'on-call', 'available', 1],
      ['ag-001', 'reserved', 'available', 2],
      ['ag-002', 'reserved', 'available', 1],
      ['ag-003', 'reserved', 'offline', 2],
    ]);
  });

  it('keeps its reservations when the worker that ran it stops and another process takes over', async () => {
    const theRoster = roster(1);
    const floor = await floorOn(theRoster);
    await floor.client().reserve({ type: 'reserve', transferId: 'held', criteria: care, ttlSeconds: 600 });
    await floor.workers.stop();

    const second = await startTestWorkers(env, floor.taskQueue, activitiesWith().activities);
    const another = await floor.client().reserve({ type: 'reserve', transferId: 'other', criteria: care, ttlSeconds: 600 });
    await second.stop();

    expect(another.agentId).toBeNull();
  });

  it('follows the routing file: agents added join available, agents removed go, everyone else keeps their state', async () => {
    const floor = await floorOn(roster(2));
    const client = floor.client();
    await client.reserve({ type: 'reserve', transferId: 't-1', criteria: care, ttlSeconds: 600 });

    const synced = await client.syncRoster({ ...roster(3), version: 'test-3', agents: roster(3).agents.slice(0, 1).concat(roster(3).agents.slice(2)) });
    const page = await client.page({});
    await floor.workers.stop();

    expect(synced).toEqual({ type: 'roster-synced', version: 'test-3', agents: 2 });
    expect(page.rosterVersion).toBe('test-3');
    expect(page.agents.map((agent) => [agent.id, agent.state])).toEqual([
      ['ag-000', 'reserved'],
      ['ag-002', 'available'],
    ]);
  });
});

describe('fallback chain', () => {
  it('puts a caller Vapi says is still with the assistant through to the next agent, telling them so', async () => {
    const scenario = HISTORY_SCENARIOS.find((s) => s.name === 'fallback-next-agent')!;

    const run = await scenario.run(env, control);

    expect(run.value?.outcome).toBe('transferred');
    const transfers = control.commandsFor(run.status.callId).map((command) => command.body as { destination: { number: string }; content: string });
    expect(transfers).toHaveLength(2);
    expect(transfers[1]!.destination.number).not.toBe(transfers[0]!.destination.number);
    expect(transfers[1]!.content).toMatch(/^Sorry, nobody picked up there\./);
    expect(run.status.decision?.reasons.at(-1)).toMatch(/^agent a-\w+ did not connect: falling back to agent a-\w+\.$/);
  });
});

describe('routing configuration changes', () => {
  it('never change a recorded transfer: its history replays after the routing file is edited', async () => {
    const scenario = HISTORY_SCENARIOS.find((s) => s.name === 'success-forwarded')!;
    const run = await scenario.run(env, control);
    const history = await run.handle.fetchHistory();
    expect(run.status.decision?.agentId).toBe('a-ana');

    // The edited file: a-ana has left. New transfers would route elsewhere...
    const edited = { ...demoContactCenter(), agents: demoContactCenter().agents.filter((agent) => agent.id !== 'a-ana') };
    expect(rosterOf(edited).agents.some((agent) => agent.id === 'a-ana')).toBe(false);

    // ...but the recorded run saw the rules and the floor's answer of its time (activity results) and replays unchanged.
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, run.handle.workflowId)).resolves.toBeUndefined();
  });
});
