import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { contactCenterYaml, generateContactCenter } from '../../bench/harness/contact-center-generator';
import { historyBytes } from '../../bench/harness/histories';
import { parseContactCenterText } from '../../src/config/contact-center';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { transferRequest } from '../support/factories';
import { runTransfer } from '../support/run-transfer';
import { connectTestEnv } from '../support/temporal';

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

describe('the floor at 5,000 agents', () => {
  it('loads a routing file of 5,000 agents, routes a transfer to one of them, and keeps the transfer history under 64 KiB', async () => {
    const generated = generateContactCenter({ agents: 5_000, seed: 7 });
    const center = parseContactCenterText(contactCenterYaml(generated, 'A test contact center of 5,000 agents.'), 'generated');
    expect(center.agents).toHaveLength(5_000);
    const department = center.departments[3]!.id;

    const run = await runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl, department, customerId: undefined, callerNumber: '+12125550100' }), { deps: { contactCenter: center } });

    expect(run.value).toMatchObject({ outcome: 'transfer-initiated', decision: { department, decidedBy: expect.stringMatching(/^(load-balancing|known-agent)$/) } });
    const agentId = run.value!.decision!.agentId!;
    expect(center.agents.find((agent) => agent.id === agentId)?.skills).toContain(department);
    expect(Object.keys(run.agents)).toHaveLength(5_000);
    expect(run.agents[agentId]).toMatchObject({ state: 'on-call' });
    const bytes = historyBytes(await run.handle.fetchHistory());
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    expect(run.value!.decision!.trace.candidates.length).toBeLessThanOrEqual(8);
  }, 120_000);
});
