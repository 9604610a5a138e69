import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { TemporalAgentPool } from '../../src/integrations/agent-pool-client';
import { activitiesWith, demoContactCenter } from '../support/factories';
import { HISTORY_SCENARIOS } from '../support/history-scenarios';
import { connectTestEnv, productionWorkerOptions, uniqueTaskQueue, workflowBundle } from '../support/temporal';

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

describe('agentPool workflow', () => {
  it('never books an agent beyond maxConcurrent when 50 transfers reserve at once over 10 agents', async () => {
    const taskQueue = uniqueTaskQueue('pool');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      ...productionWorkerOptions(),
      activities: activitiesWith().activities,
    });
    const pool = new TemporalAgentPool(env.client.workflow, taskQueue);
    const agents = demoContactCenter().agents.slice(0, 10).map((agent) => ({ agentId: agent.id, maxConcurrent: agent.maxConcurrent }));
    const capacity = agents.reduce((sum, agent) => sum + agent.maxConcurrent, 0);

    const { results, snapshot } = await worker.runUntil(async () => {
      const reserved = await Promise.all(
        Array.from({ length: 50 }, (_, i) => pool.reserve({ transferId: `t-${i}`, candidates: agents, ttlSeconds: 600 })),
      );
      // A retried reservation of the same transfer is the same reservation, not a second one.
      await pool.reserve({ transferId: 't-0', candidates: agents, ttlSeconds: 600 });
      return { results: reserved, snapshot: await pool.snapshot() };
    });

    const booked = results.filter((result) => result.agentId !== null);
    expect(booked).toHaveLength(capacity);
    for (const agent of agents) {
      expect(snapshot.agents[agent.agentId]!.reservations.length).toBeLessThanOrEqual(agent.maxConcurrent);
    }
    expect(Object.values(snapshot.agents).reduce((sum, agent) => sum + agent.reservations.length, 0)).toBe(capacity);
  });

  it('releases on request, expires reservations after their TTL, and refuses malformed updates', async () => {
    const taskQueue = uniqueTaskQueue('pool');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), ...productionWorkerOptions(), activities: activitiesWith().activities });
    const pool = new TemporalAgentPool(env.client.workflow, taskQueue);

    const outcome = await worker.runUntil(async () => {
      await pool.reserve({ transferId: 'keep', candidates: [{ agentId: 'a-ana', maxConcurrent: 1 }], ttlSeconds: 600 });
      await pool.reserve({ transferId: 'short', candidates: [{ agentId: 'a-ben', maxConcurrent: 1 }], ttlSeconds: 1 });
      const released = await pool.release('keep');
      const refused = await pool.reserve({ transferId: '', candidates: [], ttlSeconds: 1 }).then(() => 'accepted', () => 'refused');
      const offline = await pool.setStatus('a-chloe', 'offline');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return { released, refused, offline, snapshot: await pool.snapshot() };
    });

    expect(outcome.released).toEqual({ released: ['a-ana'] });
    expect(outcome.refused).toBe('refused');
    expect(outcome.offline.status).toBe('offline');
    expect(outcome.snapshot.agents['a-ben']!.reservations).toEqual([]);
  });
});

describe('fallback chain', () => {
  it('puts a caller Vapi says is still with the assistant through to the next agent, telling them so', async () => {
    const scenario = HISTORY_SCENARIOS.find((s) => s.name === 'fallback-next-agent')!;

    const run = await scenario.run(env, control);

    expect(run.value?.outcome).toBe('transferred');
    const transfers = control.commandsFor(run.status.callId).map((command) => command.body as { destination: { number: string }; content: string });
    expect(transfers).toHaveLength(2);
    expect(transfers[0]!.destination.number).toBe('+12025550101');
    expect(transfers[1]!.destination.number).toBe('+12025550102');
    expect(transfers[1]!.content).toMatch(/^Sorry, nobody picked up there\./);
    expect(run.status.decision?.reasons.at(-1)).toBe('Agent a-ana did not connect: falling back to agent a-ben.');
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
    const { activities } = activitiesWith({ contactCenter: edited });
    expect((await activities.loadRoutingPolicy()).agents.some((agent) => agent.id === 'a-ana')).toBe(false);

    // ...but the recorded run saw the configuration of its time (an activity result) and replays unchanged.
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, run.handle.workflowId)).resolves.toBeUndefined();
  });
});
