import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ContactCenter } from '../../src/config/contact-center';
import type { AgentCriteria, CallbackWorkflow, FloorWorkflow, QueueSettings, Roster, TransferRequest } from '../../src/contracts';
import { DEFAULT_QUEUE, FLOOR_WORKFLOW_TYPE, callbackWorkflowId, callEventSignal, decideDestinationUpdate, destinationAbandonedSignal, floorTaskQueue, floorWorkflowId } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import type { Crm } from '../../src/integrations/crm';
import type { FloorClient } from '../../src/integrations/floor-client';
import { TemporalFloorClient } from '../../src/integrations/floor-client';
import { callbackInput, startCallback, startCallbacks, waitingCaller } from './callbacks';
import { activitiesWith, alwaysOpenContactCenter, transferRequest } from './factories';
import type { TransferRun } from './run-transfer';
import { runTransfer, waitForStage, waitForStep, whileTheControlUrlIsDown } from './run-transfer';
import { uniqueTaskQueue } from './temporal';
import { vapiSays } from './vapi-api';
import { startTestWorkers } from './workers';

/** Where recorded histories live: one folder per generation of workflow code, each replayed by `npm test`. */
export const HISTORIES_DIR = path.resolve(__dirname, '../fixtures/histories');

/**
 * The generation the current workflow code records. 1.0 is the baseline; 2.0 is the transfer behind
 * `patched('transfer-generation-2')` and the floor. Earlier folders stay, and must keep replaying.
 */
export const CURRENT_GENERATION = '2.0';

/** A path of `transferCall` whose recorded history is committed and replayed by `npm test`. */
export interface HistoryScenario {
  name: string;
  description: string;
  run(env: TestWorkflowEnvironment, control: FakeControlServer): Promise<TransferRun>;
}

const crmDown: Crm = {
  findCustomer: async () => {
    throw new Error('crm unavailable');
  },
  upsertTransferNote: async () => ({ noteId: 'note-unused' }),
  updateNoteStatus: async () => ({ changed: true }),
};

const forwarded = [{ kind: 'forwarding' as const }];
const transfersOnly = (status: number) => (command: { body: unknown }) => ((command.body as { type: string }).type === 'transfer' ? { status } : { status: 200 });

/** executeTransfer whose first attempt stops heartbeating, as if its worker had died: before sending, or after. */
function firstAttemptLost(afterSending: boolean) {
  let calls = 0;
  return (activities: ReturnType<typeof activitiesWith>['activities']) => ({
    executeTransfer: async (input: Parameters<typeof activities.executeTransfer>[0]) => {
      calls += 1;
      if (calls > 1) return activities.executeTransfer(input);
      if (afterSending) await activities.executeTransfer(input);
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      return { status: 200 };
    },
  });
}

/** The demo contact center, every office open, each department's line with `queue`. */
function billingLine(queue: Partial<QueueSettings> = {}): ContactCenter {
  const center = alwaysOpenContactCenter();
  return { ...center, departments: center.departments.map((department) => ({ ...department, queue: { ...DEFAULT_QUEUE, relax: [], updateEverySeconds: 600, ...queue } })) };
}

/**
 * Every other billing agent logged out and a-ana on another call, so the transfer that starts next waits in
 * billing's line. The billing agents are few enough that the reservation records them all: the decision check
 * decides again from the same floor.
 */
const OTHER_BILLING_AGENTS = ['a-chloe', 'a-grace', 'a-hans', 'a-jonas', 'a-kenji'];

async function anaOnACall(floor: FloorClient): Promise<void> {
  for (const agentId of OTHER_BILLING_AGENTS) await floor.setStatus(agentId, 'offline');
  const taken = await floor.reserve({ type: 'reserve', transferId: 'another-call', criteria: { department: 'billing', candidateOffices: ['us-east'], language: 'en', seniorRequired: false, knownAgent: 'a-ana', exclude: [] }, ttlSeconds: 600 });
  if (taken.agentId !== 'a-ana') throw new Error(`a-ana was not free for the scenario (${taken.agentId})`);
  await floor.notify({ type: 'connected', transferId: 'another-call', agentId: 'a-ana', department: 'billing' });
}

/** A standard caller of billing (priority 0) whose known agent is not a-ana. */
const lineCaller = (control: FakeControlServer, overrides: Partial<TransferRequest> = {}) =>
  transferRequest({ controlBaseUrl: control.baseUrl, customerId: undefined, callerNumber: '+12025550118', receivedAt: new Date().toISOString(), ...overrides });

export const HISTORY_SCENARIOS: HistoryScenario[] = [
  {
    name: 'success-forwarded',
    description: 'known customer, the floor reserves the billing agent, transfer accepted, Vapi reports forwarding: the agent stays on the call',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30 }), { vapiReports: forwarded });
    },
  },
  {
    name: 'success-unconfirmed',
    description: 'general line (no reservation), transfer accepted, Vapi reports nothing before the outcome timeout',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, department: undefined, reason: 'just a question' }));
    },
  },
  {
    name: 'not-connected',
    description: 'transfer accepted, Vapi reports call.forwarding.no-answer: the agent is freed at once',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30 }), { vapiReports: [{ kind: 'ended', endedReason: 'call.forwarding.no-answer' }] });
    },
  },
  {
    name: 'caller-hung-up-before-transfer',
    description: 'the controlUrl answers 503 and the caller hangs up during the backoff: compensated, nothing transferred, nothing said',
    run: (env, control) =>
      runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }), whileTheControlUrlIsDown(control, (handle) => handle.signal(callEventSignal, { kind: 'ended', endedReason: 'customer-ended-call' }))),
  },
  {
    name: 'crm-down-degraded',
    description: 'the CRM lookup fails: routed as an anonymous caller, still transferred',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30 }), { deps: { crm: crmDown }, vapiReports: forwarded });
    },
  },
  {
    name: 'transfer-rejected-compensated',
    description: 'the controlUrl answers 400: summary marked, agent released, caller told',
    run: (env, control) => {
      control.respondWith(transfersOnly(400));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }));
    },
  },
  {
    name: 'transfer-retried-then-accepted',
    description: 'the controlUrl answers 503 twice (Vapi did not act), then accepts; Vapi reports forwarding',
    run: (env, control) => {
      let attempts = 0;
      control.respondWith(() => ((attempts += 1) <= 2 ? { status: 503 } : { status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30 }), { vapiReports: forwarded });
    },
  },
  {
    name: 'rate-limited-then-accepted',
    description: 'the controlUrl answers 429 with Retry-After: 1; sent again after it',
    run: (env, control) => {
      let attempts = 0;
      control.respondWith(() => ((attempts += 1) === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }));
    },
  },
  {
    name: 'gateway-error-outcome-unknown',
    description: 'the controlUrl answers 502 (Vapi may have acted); Vapi cannot be asked: the caller holds, nothing undone or resent, outcome unknown',
    run: (env, control) => {
      control.respondWith(transfersOnly(502));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }));
    },
  },
  {
    name: 'gateway-error-vapi-says-forwarding',
    description: 'the controlUrl answers 502; Vapi’s API, asked at once, says forwarding: transferred with one POST',
    run: (env, control) => {
      control.respondWith(transfersOnly(502));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, warmDialSeconds: 20 }), { deps: { callStatus: vapiSays('forwarding').callStatus } });
    },
  },
  {
    name: 'gateway-error-resent-after-vapi',
    description: 'the controlUrl answers 502; after the dial time Vapi’s API says the caller is still with the assistant: sent once more, forwarded',
    run: (env, control) => {
      let attempts = 0;
      control.respondWith((command) => ((command.body as { type: string }).type !== 'transfer' ? { status: 200 } : (attempts += 1) === 1 ? { status: 502 } : { status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, warmDialSeconds: 1, outcomeTimeoutSeconds: 30 }), { deps: { callStatus: vapiSays('in-progress', 'in-progress', 'forwarding').callStatus } });
    },
  },
  {
    name: 'resent-then-refused-kept',
    description: 'a 502, resent once because Vapi said the caller waits, then refused (400): nothing undone, no apology, outcome unknown',
    run: (env, control) => {
      let attempts = 0;
      control.respondWith((command) => ((command.body as { type: string }).type !== 'transfer' ? { status: 200 } : (attempts += 1) === 1 ? { status: 502 } : { status: 400 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, warmDialSeconds: 1, outcomeTimeoutSeconds: 30 }), { deps: { callStatus: vapiSays('in-progress').callStatus } });
    },
  },
  {
    name: 'attempt-lost-never-left',
    description: 'the first attempt’s worker died before the attempt was recorded: sent again at once, one POST',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }), { wrap: firstAttemptLost(false) });
    },
  },
  {
    name: 'attempt-lost-after-sending',
    description: 'the first attempt’s worker died after sending; Vapi’s API says forwarding: transferred, never resent',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30 }), { wrap: firstAttemptLost(true), deps: { callStatus: vapiSays('forwarding').callStatus } });
    },
  },
  {
    name: 'answer-lost-then-forwarded',
    description: 'the transfer POST times out after it was sent; not resent; Vapi then reports the call forwarded',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200, delayMs: 3_000 }));
      const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30 });
      return runTransfer(env, request, {
        whileRunning: async (handle) => {
          await waitForStep(handle, 'executeTransfer', 'failed');
          await handle.signal(callEventSignal, { kind: 'ended', endedReason: 'assistant-forwarded-call' });
        },
      });
    },
  },
  {
    name: 'fallback-next-agent',
    description: 'the first agent stays silent past the dial time and Vapi says the caller is with the assistant: the floor’s next agent, then forwarded',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      const request = transferRequest({ controlBaseUrl: control.baseUrl, department: 'support', customerId: undefined, callerNumber: undefined, outcomeTimeoutSeconds: 30 });
      return runTransfer(env, request, {
        deps: { callStatus: vapiSays('in-progress').callStatus },
        whileRunning: async (handle) => {
          await control.waitForCommands(request.callId, 2);
          await handle.signal(callEventSignal, { kind: 'forwarding' });
        },
      });
    },
  },
  {
    name: 'fallback-chain-exhausted',
    description: 'nobody connects: the first agent, the next, the support line and the general line, then the caller is told; no agent left reserved',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      const request = transferRequest({ controlBaseUrl: control.baseUrl, department: 'support', customerId: undefined, callerNumber: undefined, outcomeTimeoutSeconds: 30 });
      return runTransfer(env, request, { deps: { callStatus: vapiSays('in-progress').callStatus } });
    },
  },
  {
    name: 'cancelled-before-transfer',
    description: 'cancelled while the controlUrl answers 503: summary marked, agent released, nothing transferred',
    run: (env, control) => runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }), whileTheControlUrlIsDown(control, (handle) => handle.cancel())),
  },
  {
    name: 'cancelled-after-transfer',
    description: 'cancelled while waiting for the outcome of a sent transfer: kept, nothing compensated, transfer-initiated, the agent held',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 60 }), {
        whileRunning: async (handle) => {
          await waitForStage(handle, 'awaiting-outcome');
          await handle.cancel();
        },
      });
    },
  },
  {
    name: 'destination-request-forwarded',
    description: 'transfer-destination-request: decision returned by update, nothing posted, Vapi reports forwarding',
    run: (env) =>
      runTransfer(env, transferRequest({ mode: 'destination-request', controlUrl: undefined, department: undefined, reason: 'my internet is down', outcomeTimeoutSeconds: 30 }), {
        whileRunning: async (handle) => {
          await handle.executeUpdate(decideDestinationUpdate);
        },
        vapiReports: forwarded,
      }),
  },
  {
    name: 'destination-request-past-deadline',
    description: 'transfer-destination-request whose answer came too late: the API told Vapi there is none, so the agent is released and the run ends deadline-missed',
    run: (env) =>
      runTransfer(env, transferRequest({ mode: 'destination-request', controlUrl: undefined, department: undefined, reason: 'my internet is down', outcomeTimeoutSeconds: 30 }), {
        whileRunning: async (handle) => {
          await handle.executeUpdate(decideDestinationUpdate);
          await handle.signal(destinationAbandonedSignal);
        },
      }),
  },
  {
    name: 'waited-in-line-then-served',
    description: 'every billing agent busy: the caller waits in line, the assistant is told, the agent is marked ready, the floor reserves her for the caller, transfer forwarded',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      let floor: FloorClient | undefined;
      return runTransfer(env, lineCaller(control, { outcomeTimeoutSeconds: 30 }), {
        deps: { contactCenter: billingLine() },
        prepareFloor: async (ready) => {
          floor = ready;
          await anaOnACall(ready);
        },
        whileRunning: async (handle) => {
          await waitForStage(handle, 'waiting');
          await floor!.setStatus('a-ana', 'available');
        },
        vapiReports: forwarded,
      });
    },
  },
  {
    name: 'waited-in-line-abandoned',
    description: 'the caller waits in line and hangs up: they leave the line at once, never transferred, the run ends abandoned',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, lineCaller(control), {
        deps: { contactCenter: billingLine() },
        prepareFloor: anaOnACall,
        whileRunning: async (handle) => {
          await waitForStage(handle, 'waiting');
          await handle.signal(callEventSignal, { kind: 'ended', endedReason: 'customer-ended-call' });
        },
      });
    },
  },
  {
    name: 'waited-in-line-overflowed',
    description: "the caller waits the line's longest wait (10 s): the rules decide again, the assistant is told, the billing line",
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, lineCaller(control), { deps: { contactCenter: billingLine({ maxWaitSeconds: 10 }) }, prepareFloor: anaOnACall });
    },
  },
];

/** A run of the floor whose history is committed; `runs` are the run ids to record (several across continue-as-new). */
export interface FloorScenario {
  name: string;
  description: string;
  run(env: TestWorkflowEnvironment): Promise<{ workflowId: string; runs: string[] }>;
}

const floorRoster: Roster = {
  version: 'floor-scenario',
  agents: ['f-ana', 'f-ben', 'f-cal'].map((id, index) => ({ id, office: 'hq', skills: ['care'], languages: ['en'], tier: index === 0 ? ('senior' as const) : ('junior' as const), maxConcurrent: index === 2 ? 2 : 1 })),
  departments: [{ id: 'care', afterCallSeconds: 1, wrapUpSeconds: 1 }],
};
const care: AgentCriteria = { department: 'care', candidateOffices: ['hq'], language: 'en', seniorRequired: false, knownAgent: null, exclude: [] };

/** Drives a floor through reservations, a connected call, statuses, a release and the timers that end holds. */
async function exerciseFloor(env: TestWorkflowEnvironment, maxEventsPerRun?: number): Promise<{ workflowId: string; runs: string[] }> {
  const taskQueue = uniqueTaskQueue('floor-history');
  const workflowId = floorWorkflowId(taskQueue);
  await env.client.workflow.start<FloorWorkflow>(FLOOR_WORKFLOW_TYPE, { workflowId, taskQueue: floorTaskQueue(taskQueue), args: [{ roster: floorRoster, ...(maxEventsPerRun ? { maxEventsPerRun } : {}) }] });
  const workers = await startTestWorkers(env, taskQueue, activitiesWith().activities);
  const floor = new TemporalFloorClient(env.client.workflow, taskQueue, () => floorRoster);
  try {
    await floor.reserve({ type: 'reserve', transferId: 't-1', criteria: { ...care, knownAgent: 'f-ben' }, ttlSeconds: 600 });
    await floor.reserve({ type: 'reserve', transferId: 't-2', criteria: { ...care, seniorRequired: true }, ttlSeconds: 1 });
    await floor.notify({ type: 'connected', transferId: 't-1', agentId: 'f-ben', department: 'care' });
    await floor.setStatus('f-cal', 'offline');
    await floor.reserve({ type: 'reserve-listed', transferId: 't-3', candidates: ['f-cal', 'f-ana'], ttlSeconds: 600 });
    await floor.setStatus('f-ben', 'wrap-up');
    await floor.notify({ type: 'release', transferId: 't-3' });
    await floor.setStatus('f-cal', 'available');
    for (let i = 4; i < 12; i += 1) {
      await floor.reserve({ type: 'reserve', transferId: `t-${i}`, criteria: care, ttlSeconds: 600 });
      await floor.notify({ type: 'release', transferId: `t-${i}` });
    }
    // The wrap-up hold and the short reservation end by time: the floor's timer, not a command, frees them.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await floor.syncRoster({ ...floorRoster, version: 'floor-scenario-2' });
    await floor.page({});
  } finally {
    await workers.stop();
  }
  const runs: string[] = [];
  for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.unshift(execution.runId);
  return { workflowId, runs };
}

export const FLOOR_SCENARIOS: FloorScenario[] = [
  {
    name: 'floor-day',
    description: 'the floor: reservations by the rules (known agent, seniority relaxed), a 1.0 listed reservation, a call connected, wrap-up, offline and back, releases, holds and a reservation ended by its timer, a roster synced',
    run: (env) => exerciseFloor(env),
  },
  {
    name: 'floor-continued-as-new',
    description: 'the same day with continue-as-new every 20 events: each run carries the state into the next',
    run: (env) => exerciseFloor(env, 20),
  },
];

/** Runs whose histories are recorded by name: a transfer that promised a callback, and callbacks themselves. */
export interface CallbackScenario {
  name: string;
  description: string;
  run(env: TestWorkflowEnvironment, control: FakeControlServer): Promise<{ name: string; workflowId: string; description: string }[]>;
}

export const CALLBACK_SCENARIOS: CallbackScenario[] = [
  {
    name: 'callback-put-through',
    description: 'a caller waiting in line asks for a callback: the transfer ends callback-promised; an agent is freed; the callback places the call once and puts it through',
    run: async (env, control) => {
      // The whole demo roster, every other billing agent logged out: the decision check decides again from the
      // same floor the transfer recorded.
      const running = await startCallbacks(env, control, { center: alwaysOpenContactCenter({ lines: true }) });
      try {
        for (const agentId of OTHER_BILLING_AGENTS) await running.deps.floor.setStatus(agentId, 'offline');
        const { callId, transfer, askForCallback, freeTheAgent } = await waitingCaller(env, control, running);
        await askForCallback();
        await transfer.result();
        await freeTheAgent();
        await env.client.workflow.getHandle<CallbackWorkflow>(callbackWorkflowId(callId)).result();
        return [
          { name: 'waited-in-line-callback-promised', workflowId: transfer.workflowId, description: 'every billing agent busy: the caller waits in line, asks for a callback (request_callback), the callback takes their place; the transfer ends callback-promised' },
          { name: 'callback-put-through', workflowId: callbackWorkflowId(callId), description: 'a callback: waits for its agent, places the call through Vapi’s API once, Vapi reports it in progress, transfers it to the agent reserved, forwarded' },
        ];
      } finally {
        await running.stop();
      }
    },
  },
  {
    name: 'callback-missed',
    description: 'a callback nobody answers: tried twice, one second apart, then missed and its agent freed',
    run: async (env, control) => {
      const running = await startCallbacks(env, control, { callee: () => ({ endedReason: 'customer-did-not-answer' }) });
      try {
        const handle = await startCallback(env.client, running.taskQueue, running.deps.floor, callbackInput(running.center, { attempts: 2, spacingSeconds: 1 }));
        await handle.result();
        return [{ name: 'callback-missed', workflowId: handle.workflowId, description: 'a callback nobody answers: tried twice, one second apart, then missed and its agent freed' }];
      } finally {
        await running.stop();
      }
    },
  },
];

export type { WorkflowHandle };
