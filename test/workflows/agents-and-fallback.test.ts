import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { TemporalAgentDirectory } from '../../src/integrations/agent-directory';
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

function agentWorker(taskQueue: string) {
  return workflowBundle().then((bundle) =>
    Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, ...productionWorkerOptions(), activities: activitiesWith().activities }),
  );
}

describe('agent workflows', () => {
  it('never book an agent beyond maxConcurrent when 50 transfers reserve at once over 10 agents', async () => {
    const taskQueue = uniqueTaskQueue('agents');
    const worker = await agentWorker(taskQueue);
    const agents = new TemporalAgentDirectory(env.client.workflow, taskQueue);
    const candidates = demoContactCenter().agents.slice(0, 10).map((agent) => ({ agentId: agent.id, maxConcurrent: agent.maxConcurrent }));
    const capacity = candidates.reduce((sum, agent) => sum + agent.maxConcurrent, 0);

    const { reserved, again, live } = await worker.runUntil(async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => agents.reserve({ transferId: `t-${i}`, candidates, ttlSeconds: 600 })),
      );
      // A retried reservation of the same transfer is the same reservation, not a second one.
      const repeated = await agents.reserve({ transferId: 't-0', candidates, ttlSeconds: 600 });
      return { reserved: results, again: repeated, live: await agents.liveStates(candidates.map((c) => c.agentId), { fresh: true }) };
    });

    const booked = reserved.filter((agentId) => agentId !== null);
    expect(booked).toHaveLength(capacity);
    expect(again).toBe(reserved[0]);
    for (const candidate of candidates) expect(live[candidate.agentId]!.activeTransfers).toBe(candidate.maxConcurrent);
  });

  it('release on request, expire after their TTL, refuse offline agents and malformed updates', async () => {
    const taskQueue = uniqueTaskQueue('agents');
    const worker = await agentWorker(taskQueue);
    const agents = new TemporalAgentDirectory(env.client.workflow, taskQueue);

    const outcome = await worker.runUntil(async () => {
      await agents.reserve({ transferId: 'keep', candidates: [{ agentId: 'a-ana', maxConcurrent: 1 }], ttlSeconds: 600 });
      await agents.reserve({ transferId: 'short', candidates: [{ agentId: 'a-ben', maxConcurrent: 1 }], ttlSeconds: 1 });
      await agents.release('keep', 'a-ana');
      const malformed = await agents.reserve({ transferId: '', candidates: [{ agentId: 'a-ana', maxConcurrent: 1 }], ttlSeconds: 1 }).then(() => 'accepted', () => 'refused');
      const offline = await agents.setStatus('a-chloe', 'offline');
      const toOffline = await agents.reserve({ transferId: 'x', candidates: [{ agentId: 'a-chloe', maxConcurrent: 2 }], ttlSeconds: 600 });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      return { malformed, offline, toOffline, live: await agents.liveStates(['a-ana', 'a-ben', 'a-chloe'], { fresh: true }) };
    });

    expect(outcome.malformed).toBe('refused');
    expect(outcome.offline.status).toBe('offline');
    expect(outcome.toOffline).toBeNull();
    expect(outcome.live).toMatchObject({
      'a-ana': { status: 'available', activeTransfers: 0 },
      'a-ben': { status: 'available', activeTransfers: 0 },
      'a-chloe': { status: 'offline', activeTransfers: 0 },
    });
  });

  it('keep their reservations when the worker that holds them stops and another takes over', async () => {
    const taskQueue = uniqueTaskQueue('agents');
    const agents = new TemporalAgentDirectory(env.client.workflow, taskQueue);
    const first = await agentWorker(taskQueue);
    await first.runUntil(() => agents.reserve({ transferId: 'held', candidates: [{ agentId: 'a-dev', maxConcurrent: 1 }], ttlSeconds: 600 }));

    const second = await agentWorker(taskQueue);
    const { live, another } = await second.runUntil(async () => ({
      live: await new TemporalAgentDirectory(env.client.workflow, taskQueue).liveStates(['a-dev'], { fresh: true }),
      another: await agents.reserve({ transferId: 'other', candidates: [{ agentId: 'a-dev', maxConcurrent: 1 }], ttlSeconds: 600 }),
    }));

    expect(live['a-dev']!.activeTransfers).toBe(1);
    expect(another).toBeNull();
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
