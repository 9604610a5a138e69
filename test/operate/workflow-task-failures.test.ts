import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import { installTemporalRuntime } from '../../src/observability/temporal-logger';
import { createDataConverter } from '../../src/temporal/data-converter';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import { eventually } from '../support/eventually';
import { connectTestEnv, uniqueTaskQueue } from '../support/temporal';

// A workflow task that fails does not fail its workflow: it is retried, quietly, until someone notices. Every
// worker process reports each one as an error line and a count. Here with the runtime the processes install,
// and workflows that fail their tasks in each of the three ways.

const taskQueue = uniqueTaskQueue('task-failures');
const lines: { level: number; msg: string; [field: string]: unknown }[] = [];
const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
const { workflowTaskFailures } = installTemporalRuntime(logger, { workerTaskQueue: taskQueue });
const metrics = createMetrics({ departments: [], defaultMetrics: false });
workflowTaskFailures!.onFailure((failure) => metrics.workflowTaskFailed(failure.workflowType));

let env: TestWorkflowEnvironment;
const handles: WorkflowHandle[] = [];

const bundle = (file: string) => bundleWorkflowCode({ workflowsPath: require.resolve(`../support/task-failure-workflows/${file}`), logger: new DefaultLogger('ERROR') });

beforeAll(async () => {
  env = await connectTestEnv();
});

afterAll(async () => {
  await Promise.all(handles.map((handle) => handle.terminate('test done').catch(() => undefined)));
  await env?.teardown();
});

/** Runs a worker of `code` on the test's task queue while `body` runs. */
async function withWorker(code: Promise<{ code: string }>, body: () => Promise<void>): Promise<void> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await code,
    activities: { nothing: async () => undefined },
    dataConverter: createDataConverter(),
  });
  await worker.runUntil(body);
}

async function start(workflowType: string, client: Client = env.client, args: unknown[] = []): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const handle = await client.workflow.start(workflowType, { taskQueue, workflowId: `${workflowType}-${randomBytes(4).toString('hex')}`, args });
  handles.push(handle);
  return handle;
}

/** The error line reported for this workflow's failed task (waits for the Rust core's report to be forwarded). */
async function reported(handle: WorkflowHandle) {
  const line = await eventually(
    async () => lines.find((entry) => entry.msg === 'workflow task failed' && entry.workflowId === handle.workflowId),
    (entry) => entry !== undefined,
    20_000,
  );
  expect(line).toBeDefined();
  return line!;
}

/** The series counted at least once (every label set is exposed at 0 from the start). */
async function failuresCounted(): Promise<string[]> {
  return (await metrics.render()).split('\n').filter((line) => line.startsWith('switchboard_workflow_task_failures_total{') && !line.endsWith(' 0'));
}

describe('a failed workflow task on a worker', () => {
  const first = bundle('first');

  it('is logged at error level with workflow type, id, run id and message, and counted, when workflow code throws', async () => {
    await withWorker(first, async () => {
      const handle = await start('throwsInWorkflowCode');
      const line = await reported(handle);

      expect(line).toMatchObject({
        level: 50,
        workflowType: 'throwsInWorkflowCode',
        workflowId: handle.workflowId,
        runId: handle.firstExecutionRunId,
        failure: 'a bug in workflow code',
      });
    });
    // Not one of Switchboard's workflow types: counted, under a bounded label.
    expect(await failuresCounted()).toEqual([expect.stringMatching(/^switchboard_workflow_task_failures_total\{workflow_type="other"\} [1-9]/)]);
  }, 60_000);

  it('is reported when a payload cannot be decoded (encrypted with a key this worker lacks), without the payload', async () => {
    const foreign = new Client({ connection: env.connection, dataConverter: createDataConverter(new AesGcmPayloadCodec([{ id: 'k9', key: randomBytes(32) }])) });
    await withWorker(first, async () => {
      const handle = await start('echo', foreign, ['a caller said something personal']);
      const line = await reported(handle);

      expect(line).toMatchObject({ level: 50, workflowType: 'echo', runId: handle.firstExecutionRunId });
      expect(line.failure).toBe('payload was encrypted with key "k9", but PAYLOAD_ENCRYPTION_KEYS is not set on this process: give every Switchboard process the same keys');
    });
    expect(JSON.stringify(lines)).not.toContain('a caller said something personal');
  }, 60_000);

  it('is reported on nondeterminism: a worker whose code no longer matches the recorded history', async () => {
    let handle: WorkflowHandleWithFirstExecutionRunId | undefined;
    await withWorker(first, async () => {
      handle = await start('changesShape');
      await eventually(async () => (await handle!.fetchHistory()).events!.some((event) => event.timerStartedEventAttributes), (started) => started);
    });
    // The timer fires while no worker runs; the next task replays the history against code that schedules an activity.
    await withWorker(bundle('second'), async () => {
      const line = await reported(handle!);

      expect(line).toMatchObject({ level: 50, workflowType: 'changesShape', runId: handle!.firstExecutionRunId });
      expect(line.failure).toMatch(/Nondeterminism error/);
    });
    // The Rust core's own warning for the same failure is superseded, not repeated.
    expect(lines.filter((entry) => entry.msg === 'Failing workflow task')).toEqual([]);
  }, 60_000);
});
