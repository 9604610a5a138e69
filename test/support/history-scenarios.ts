import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { callEventSignal, decideDestinationUpdate } from '../../src/contracts';
import type { Crm } from '../../src/integrations/crm';
import { transferRequest } from './factories';
import type { TransferRun } from './run-transfer';
import { runTransfer, waitForStage, whileTheControlUrlIsDown } from './run-transfer';

/** Where recorded histories live: one folder per generation of workflow code, each replayed by `npm test`. */
export const HISTORIES_DIR = path.resolve(__dirname, '../fixtures/histories');

/**
 * The generation the current workflow code records. 1.0 is the baseline: from here on every change to
 * workflow code goes behind `patched()`, this constant moves to the next generation, and the folders of
 * earlier generations stay, so their histories must keep replaying.
 */
export const CURRENT_GENERATION = '1.0';

/**
 * The paths of `transferCall` whose recorded histories are committed under test/fixtures/histories/<generation>
 * and replayed by `npm test`: one per outcome and per compensation branch.
 */
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

export const HISTORY_SCENARIOS: HistoryScenario[] = [
  {
    name: 'success-forwarded',
    description: 'known customer, billing agent reserved, transfer accepted, Vapi reports forwarding',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30 }), { vapiReports: forwarded });
    },
  },
  {
    name: 'success-unconfirmed',
    description: 'general line, transfer accepted, Vapi reports nothing before the outcome timeout',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, department: undefined, reason: 'just a question' }));
    },
  },
  {
    name: 'not-connected',
    description: 'transfer accepted, Vapi reports call.forwarding.no-answer: agent released',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30 }), {
        vapiReports: [{ kind: 'ended', endedReason: 'call.forwarding.no-answer' }],
      });
    },
  },
  {
    name: 'caller-hung-up-before-transfer',
    description: 'the controlUrl answers 503 and the caller hangs up during the backoff: compensated, nothing transferred, nothing said',
    run: (env, control) =>
      runTransfer(
        env,
        transferRequest({ controlBaseUrl: control.baseUrl }),
        whileTheControlUrlIsDown(control, (handle) => handle.signal(callEventSignal, { kind: 'ended', endedReason: 'customer-ended-call' })),
      ),
  },
  {
    name: 'crm-down-degraded',
    description: 'CRM lookup fails after retries: routed as anonymous caller, still transferred',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30 }), {
        deps: { crm: crmDown },
        vapiReports: forwarded,
      });
    },
  },
  {
    name: 'transfer-rejected-compensated',
    description: 'controlUrl answers 400: summary marked, agent released, caller told',
    run: (env, control) => {
      control.respondWith((command) => ((command.body as { type: string }).type === 'transfer' ? { status: 400 } : { status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }));
    },
  },
  {
    name: 'transfer-retried-then-accepted',
    description: 'controlUrl answers 503 twice, then accepts; Vapi reports forwarding',
    run: (env, control) => {
      let attempts = 0;
      control.respondWith(() => ((attempts += 1) <= 2 ? { status: 503 } : { status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30 }), { vapiReports: forwarded });
    },
  },
  {
    name: 'attempt-lost-then-resent',
    description: 'the first transfer attempt times out (worker died before posting); Vapi reports nothing and says in-progress: sent once more',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      let calls = 0;
      let asked = 0;
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 2, fallbackCheckSeconds: 1 }), {
        deps: { callStatus: { status: async () => (asked++ === 0 ? 'in-progress' : 'forwarding') } },
        wrap: (activities) => ({
          executeTransfer: async (input) => {
            calls += 1;
            if (calls > 1) return activities.executeTransfer(input);
            await new Promise((resolve) => setTimeout(resolve, 6_000));
            return { status: 200 };
          },
        }),
      });
    },
  },
  {
    name: 'outcome-unknown-then-forwarded',
    description: 'the transfer POST times out; not resent; Vapi then reports the call forwarded',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200, delayMs: 3_000 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30, fallbackCheckSeconds: 1 }), {
        vapiReports: [{ kind: 'ended', endedReason: 'assistant-forwarded-call' }],
      });
    },
  },
  {
    name: 'outcome-unknown-silent',
    description: 'the transfer POST times out and Vapi reports nothing: outcome unknown, reservation kept',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200, delayMs: 3_000 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, fallbackCheckSeconds: 1 }));
    },
  },
  {
    name: 'fallback-next-agent',
    description: 'first agent silent, Vapi says the caller is still with the assistant: next agent, then forwarded',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      let checks = 0;
      const request = transferRequest({
        controlBaseUrl: control.baseUrl,
        department: 'support',
        customerId: undefined,
        callerNumber: undefined,
        outcomeTimeoutSeconds: 30,
        fallbackCheckSeconds: 1,
      });
      return runTransfer(env, request, {
        deps: { callStatus: { status: async () => (checks++ === 0 ? 'in-progress' : 'forwarding') } },
        whileRunning: async (handle) => {
          await control.waitForCommands(request.callId, 2);
          await handle.signal(callEventSignal, { kind: 'forwarding' });
        },
      });
    },
  },
  {
    name: 'cancelled-before-transfer',
    description: 'cancelled while the controlUrl answers 503: summary marked, agent released, nothing transferred',
    run: (env, control) => runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }), whileTheControlUrlIsDown(control, (handle) => handle.cancel())),
  },
  {
    name: 'cancelled-after-transfer',
    description: 'cancelled while waiting for the outcome of a sent transfer: kept, nothing compensated, transfer-initiated',
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
];
