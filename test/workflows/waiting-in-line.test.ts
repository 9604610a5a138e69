import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../src/activities';
import type { ContactCenter } from '../../src/config/contact-center';
import type { QueueSettings, TransferCallWorkflow, TransferRequest, TransferResult } from '../../src/contracts';
import { DEFAULT_QUEUE, TRANSFER_WORKFLOW_TYPE, callEventSignal, transferStatusQuery, transferWorkflowId } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import type { FloorClient } from '../../src/integrations/floor-client';
import { alwaysOpenContactCenter, transferRequest } from '../support/factories';
import { waitForStage } from '../support/run-transfer';
import { connectTestEnv, uniqueTaskQueue } from '../support/temporal';
import { vapiSays } from '../support/vapi-api';
import { floorBackedActivities, startTestWorkers } from '../support/workers';

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

beforeEach(() => control.respondWith(() => ({ status: 200, body: {} })));

/** Billing with three agents in the caller's office, one call at a time each, and a line with `queue`. */
function billingWithALine(queue: Partial<QueueSettings>, agents = ['a-ana', 'a-chloe', 'a-grace']): ContactCenter {
  const center = alwaysOpenContactCenter();
  return {
    ...center,
    version: `line-${Math.random().toString(16).slice(2, 10)}`,
    departments: center.departments.map((department) => ({ ...department, queue: { ...DEFAULT_QUEUE, relax: [], ...queue }, afterCallSeconds: 600 })),
    agents: center.agents.filter((agent) => agents.includes(agent.id)).map((agent) => ({ ...agent, office: 'us-east', languages: ['en'], skills: ['billing', 'support'], maxConcurrent: 1 })),
  };
}

const commandsOf = (callId: string, type: string) => control.commandsFor(callId).filter((command) => (command.body as { type: string }).type === type);
const told = (callId: string) => commandsOf(callId, 'add-message').map((command) => (command.body as { message: { content: string } }).message.content);

/** A floor and its workers on a test's own task queue, and transfers started on it. */
async function floorWithTransfers(center: ContactCenter, deps: Partial<ActivityDeps> = {}) {
  const taskQueue = uniqueTaskQueue('line');
  const built = floorBackedActivities(env, taskQueue, { contactCenter: center, ...deps });
  const workers = await startTestWorkers(env, taskQueue, built.activities);
  const floor: FloorClient = built.deps.floor;
  return {
    floor,
    deps: built.deps,
    stop: workers.stop,
    async start(overrides: Partial<TransferRequest> = {}): Promise<{ request: TransferRequest; handle: WorkflowHandle<TransferCallWorkflow> }> {
      // A standard customer (priority 0), so each test's urgencies alone set the priorities.
      const request = transferRequest({ controlBaseUrl: control.baseUrl, receivedAt: new Date().toISOString(), outcomeTimeoutSeconds: 1, callerNumber: '+12025550118', ...overrides });
      const handle = await env.client.workflow.start<TransferCallWorkflow>(TRANSFER_WORKFLOW_TYPE, {
        workflowId: transferWorkflowId(request.callId, request.toolCallId),
        taskQueue,
        args: [request],
      });
      return { request, handle };
    },
  };
}

/** Retries `check` until it stops throwing (10 s at most), returning its value. */
async function until<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function stageOf(handle: WorkflowHandle<TransferCallWorkflow>) {
  return (await handle.query(transferStatusQuery)).stage;
}

describe('waiting in line', () => {
  it('serves five waiting callers in the rule order as agents are marked ready, never the one who hung up, and tells each their place', async () => {
    const line = await floorWithTransfers(billingWithALine({ updateEverySeconds: 600 }));
    try {
      // Three callers take the three agents; they stay on their calls (after-call time 600 s).
      const busy = await Promise.all([0, 1, 2].map(() => line.start()));
      const results = await Promise.all(busy.map(({ handle }) => handle.result()));
      const busyAgents = results.map((result) => result.decision!.agentId!);
      expect(new Set(busyAgents).size).toBe(3);

      // Five more wait, joining in this order with these priorities (critical 2, high 1, medium 0).
      const urgencies = ['medium', 'medium', 'high', 'critical', 'medium'] as const;
      const waiting: Awaited<ReturnType<typeof line.start>>[] = [];
      for (const urgency of urgencies) {
        const started = await line.start({ urgency });
        await waitForStage(started.handle, 'waiting');
        waiting.push(started);
      }
      const [first, hangsUp, high, critical, last] = waiting;
      expect(told(first!.request.callId)[0]).toMatch(/^Every billing agent is busy\. The caller is next in line/);
      expect(told(critical!.request.callId)[0]).toMatch(/The caller is next in line/);
      expect(commandsOf(first!.request.callId, 'add-message')[0]!.body).toMatchObject({ type: 'add-message', message: { role: 'system' }, triggerResponseEnabled: true });

      await hangsUp!.handle.signal(callEventSignal, { kind: 'ended', endedReason: 'customer-ended-call' });
      const abandoned = await hangsUp!.handle.result();
      expect(abandoned.outcome).toBe('abandoned');

      const served: string[] = [];
      for (const agentId of busyAgents) {
        await line.floor.setStatus(agentId, 'available');
        const next = await until(async () => {
          const now = waiting.filter(({ request }) => commandsOf(request.callId, 'transfer').length > 0).map(({ request }) => request.callId);
          const fresh = now.filter((callId) => !served.includes(callId));
          expect(fresh).toHaveLength(1);
          return fresh[0]!;
        });
        served.push(next);
      }
      expect(served).toEqual([critical!.request.callId, high!.request.callId, first!.request.callId]);
      expect(commandsOf(hangsUp!.request.callId, 'transfer')).toHaveLength(0);
      // The last caller moved up as the others were served, and was told (a change of place is told at most every 10 s).
      await until(async () => expect(told(last!.request.callId).some((text) => /^Update: the caller is now next in line/.test(text))).toBe(true), 15_000);
      expect(await stageOf(last!.handle)).toBe('waiting');

      const servedResult: TransferResult = await critical!.handle.result();
      expect(servedResult).toMatchObject({ outcome: 'transfer-initiated', decision: { decidedBy: 'line', agentId: busyAgents[0] } });
      expect(servedResult.decision!.reasons.join(' ')).toMatch(/All 3 qualified agents are busy: waiting in billing's line, position 1.*Agent .* free after \d+ s in billing's line\./);
      expect([...line.deps.crm.notes.values()].find((note) => note.transferId === hangsUp!.handle.workflowId)).toMatchObject({ status: 'abandoned' });
      await last!.handle.signal(callEventSignal, { kind: 'ended', endedReason: 'customer-ended-call' });
      await last!.handle.result();
    } finally {
      await line.stop();
    }
  });

  it('sends a caller who waited the line longest wait to the department line, telling the assistant first', async () => {
    const line = await floorWithTransfers(billingWithALine({ maxWaitSeconds: 10, updateEverySeconds: 600 }, ['a-ana']));
    try {
      await (await line.start()).handle.result();
      const { request, handle } = await line.start();

      const result = await handle.result();

      expect(result).toMatchObject({ outcome: 'transfer-initiated', decision: { decidedBy: 'line', agentId: null, label: 'billing line' } });
      expect(result.decision!.reasons.at(-1)).toMatch(/^Waited 1\d s in billing's line \(its longest wait is 10 s\): billing line, keeping/);
      const kinds = control.commandsFor(request.callId).map((command) => (command.body as { type: string }).type);
      expect(kinds).toEqual(['add-message', 'add-message', 'transfer']);
      expect(told(request.callId)[1]).toMatch(/^Waited 1\d s in billing's line .* put through to the billing line now/);
      expect((await line.floor.lines()).find((one) => one.department === 'billing')).toMatchObject({ waiting: 0 });
    } finally {
      await line.stop();
    }
  });

  it('sends a caller straight to the department line when the line is full', async () => {
    const line = await floorWithTransfers(billingWithALine({ maxWaiting: 1, updateEverySeconds: 600 }, ['a-ana']));
    try {
      await (await line.start()).handle.result();
      const waits = await line.start();
      await waitForStage(waits.handle, 'waiting');

      const turnedAway = await (await line.start()).handle.result();

      expect(turnedAway).toMatchObject({ decision: { decidedBy: 'line', agentId: null, label: 'billing line' } });
      expect(turnedAway.decision!.reasons.join(' ')).toMatch(/billing's line is full \(1 waiting\)/);
      await waits.handle.signal(callEventSignal, { kind: 'ended', endedReason: 'customer-ended-call' });
      expect((await waits.handle.result()).outcome).toBe('abandoned');
    } finally {
      await line.stop();
    }
  });

  it('brings a caller whose agent did not pick up back to the assistant, at the front of the line, and transfers them to the next agent free', async () => {
    // Vapi's API, for the caller this test follows: back with the assistant after the first agent's dial time,
    // then forwarded. Every other call: forwarded.
    const followed = 'call-followed-' + Math.random().toString(16).slice(2, 8);
    const vapi = vapiSays('in-progress', 'forwarding');
    const callStatus = { status: (callId: string) => (callId === followed ? vapi.callStatus.status() : Promise.resolve('forwarding')) };
    const line = await floorWithTransfers(billingWithALine({ updateEverySeconds: 600 }, ['a-ana', 'a-chloe']), { callStatus });
    try {
      const other = await line.start({ outcomeTimeoutSeconds: 60 });
      await waitForStage(other.handle, 'awaiting-outcome');
      const { request, handle } = await line.start({ outcomeTimeoutSeconds: 60, callId: followed });
      const firstAgent = await until(async () => {
        const status = await handle.query(transferStatusQuery);
        expect(status.decision?.agentId).toBeTruthy();
        return status.decision!.agentId!;
      });
      const waiter = await line.start();
      await waitForStage(waiter.handle, 'waiting');

      // The first agent does not pick up: the caller is back with the assistant, in front of the line.
      await waitForStage(handle, 'waiting');
      await until(async () => expect(told(request.callId).at(-1)).toMatch(/^The agent did not pick up\. The caller is back with you and next in line/));
      const otherAgent = (await other.handle.query(transferStatusQuery)).decision!.agentId!;
      await line.floor.setStatus(otherAgent, 'available');

      const result = await handle.result();
      expect(result).toMatchObject({ outcome: 'transferred', decision: { agentId: otherAgent } });
      expect(result.decision!.agentId).not.toBe(firstAgent);
      expect(commandsOf(request.callId, 'transfer')).toHaveLength(2);
      // The agent who did not pick up was free again for the caller who had been waiting: only the caller she
      // failed is kept from her.
      expect(await waiter.handle.result()).toMatchObject({ decision: { agentId: firstAgent, decidedBy: 'line' } });
    } finally {
      await line.stop();
    }
  });

  it('gives an agent of two departments the caller who has waited longest across both lines', async () => {
    const line = await floorWithTransfers(billingWithALine({ updateEverySeconds: 600 }, ['a-ana']));
    try {
      const busy = await (await line.start()).handle.result();
      const support = await line.start({ department: 'support', reason: 'my internet is down' });
      await waitForStage(support.handle, 'waiting');
      const billing = await line.start();
      await waitForStage(billing.handle, 'waiting');

      await line.floor.setStatus(busy.decision!.agentId!, 'available');

      expect(await support.handle.result()).toMatchObject({ decision: { department: 'support', agentId: 'a-ana', decidedBy: 'line' } });
      expect(await stageOf(billing.handle)).toBe('waiting');
      await billing.handle.signal(callEventSignal, { kind: 'ended', endedReason: 'customer-ended-call' });
      await billing.handle.result();
    } finally {
      await line.stop();
    }
  });
});
