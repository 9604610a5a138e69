import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startDevServer } from '../../src/dev/dev-server';
import { temporalCliPath } from '../../src/dev/temporal-binaries';
import { freePort } from '../../src/temporal/free-port';

/**
 * `npx tsx bench/primitives/run-primitives.ts [--n 200]`: what each Temporal building block a transfer is made
 * of costs in CPU on this machine's embedded dev server (file-backed, as npm start runs it) and in the Node
 * process driving it (client and worker together). Run several times: a shared host makes single figures
 * drift by a third between minutes, so compare rows of one run, not runs.
 */
const KINDS = ['empty', 'oneActivity', 'oneLocalActivity', 'sixLocalActivities', 'waitForSignal', 'memoUpsert', 'update', 'query', 'list'] as const;

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main(): Promise<void> {
  const n = Number(process.argv[process.argv.indexOf('--n') + 1] || 200);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startDevServer({ cliPath: temporalCliPath(), port: await freePort(), logLevel: 'error', dbFile: path.join(tmpdir(), `primitives-${Date.now()}.sqlite`) });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: server.address }),
    taskQueue: 'primitives',
    workflowsPath: require.resolve('./workflows'),
    activities: { echo: async (value: unknown) => value },
  });
  const running = worker.run();
  await client.workflow.start('entity', { taskQueue: 'primitives', workflowId: 'entity', workflowIdConflictPolicy: 'USE_EXISTING' });
  const once = async (kind: (typeof KINDS)[number], i: number): Promise<void> => {
    const workflowId = `${kind}-${i}-${Date.now()}`;
    if (kind === 'update') await client.workflow.getHandle('entity').executeUpdate('bump');
    else if (kind === 'query') await client.workflow.getHandle('entity').query('__stack_trace');
    else if (kind === 'list') for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}' AND ExecutionStatus = 'Running'` })) void _;
    else if (kind === 'waitForSignal') {
      const handle = await client.workflow.start(kind, { taskQueue: 'primitives', workflowId });
      await handle.signal('go');
      await handle.result();
    } else await client.workflow.execute(kind, { taskQueue: 'primitives', workflowId });
  };
  process.stdout.write(`| primitive | dev server CPU (ms) | Node CPU, client + worker (ms) |\n| --- | ---: | ---: |\n`);
  for (const kind of KINDS) {
    for (let i = 0; i < 10; i += 1) await once(kind, -i - 1);
    const server0 = cpuMs(server.pid!);
    const node0 = process.cpuUsage();
    for (let i = 0; i < n; i += 5) await Promise.all([0, 1, 2, 3, 4].map((j) => once(kind, i + j)));
    const node = process.cpuUsage(node0);
    process.stdout.write(`| ${kind} | ${((cpuMs(server.pid!) - server0) / n).toFixed(1)} | ${((node.user + node.system) / 1000 / n).toFixed(1)} |\n`);
  }
  worker.shutdown();
  await running;
  await server.stop();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
