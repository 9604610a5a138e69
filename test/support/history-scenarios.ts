import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import type { Crm } from '../../src/integrations/crm';
import { transferRequest } from './factories';
import type { TransferRun } from './run-transfer';
import { held, runTransfer, waitForStep } from './run-transfer';

/**
 * The paths of `transferCall` whose recorded histories are committed under test/fixtures/histories and
 * replayed by `npm test`: one per outcome and per compensation branch. Record them anew with
 * `npm run histories:record` only for a deliberate, patched() change; old files must keep replaying.
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
  updateNoteStatus: async () => undefined,
};

export const HISTORY_SCENARIOS: HistoryScenario[] = [
  {
    name: 'success-agent',
    description: 'known customer, billing agent reserved, transfer accepted',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }));
    },
  },
  {
    name: 'success-general-line',
    description: 'no department matched: general line, no reservation',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, department: undefined, reason: 'just a question' }));
    },
  },
  {
    name: 'crm-down-degraded',
    description: 'CRM lookup fails after retries: routed as anonymous caller, still transferred',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }), { deps: { crm: crmDown } });
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
    description: 'controlUrl answers 503 twice, then accepts',
    run: (env, control) => {
      let attempts = 0;
      control.respondWith(() => ((attempts += 1) <= 2 ? { status: 503 } : { status: 200 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }));
    },
  },
  {
    name: 'transfer-outcome-unknown',
    description: 'controlUrl does not answer in time: not resent, reservation kept',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200, delayMs: 3_000 }));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }));
    },
  },
  {
    name: 'cancelled-before-transfer',
    description: 'cancelled while the summary is posted: agent released, nothing transferred',
    run: (env, control) => {
      control.respondWith(() => ({ status: 200 }));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      return runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }), {
        wrap: (activities) => ({ postSummary: held(gate, activities.postSummary) }),
        whileRunning: async (handle) => {
          await waitForStep(handle, 'postSummary');
          await handle.cancel();
          release();
        },
      });
    },
  },
];
