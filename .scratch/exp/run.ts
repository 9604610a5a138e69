import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, DefaultLogger, Runtime } from '@temporalio/worker';
import { startDevServer } from '../../src/dev/dev-server';
import { temporalCliPath } from '../../src/dev/temporal-binaries';
import { freePort } from '../../src/temporal/free-port';

const ticks = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = `/tmp/exp-${Date.now()}`;
  const server = await startDevServer({ cliPath: temporalCliPath(), port: await freePort(), logLevel: 'error', dbFile: `${dir}/t.sqlite` } as never);
  const serverPid = Number((server as unknown as { pid?: number }).pid ?? 0);
  const native = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const worker = await Worker.create({ connection: native, taskQueue: 'exp', workflowsPath: require.resolve('./workflows'), activities: { noop: async (x: unknown) => x } });
  const running = worker.run();
  const N = Number(process.env.N ?? 150);
  const pidOfServer = serverPid || Number(process.env.SERVER_PID);
  for (const kind of (process.env.KINDS ?? 'empty,oneActivity,oneLocal,sixLocals,bigLocal,waitSignal,update,memo').split(',')) {
    // warm
    const run = async (i: number) => {
      const id = `${kind}-${i}-${Date.now()}`;
      if (kind === 'waitSignal') {
        const h = await client.workflow.start('waitSignal', { taskQueue: 'exp', workflowId: id });
        await h.signal('go'); await h.result();
      } else if (kind === 'list') {
        for await (const _ of client.workflow.list({ query: `WorkflowId = 'nope-${i}' AND ExecutionStatus = 'Running'`, pageSize: 50 })) void _;
      } else if (kind === 'query') {
        await client.workflow.getHandle('entity-1').query('__stack_trace').catch(() => undefined);
      } else if (kind === 'signalEntity') {
        await client.workflow.getHandle('entity-1').signal('go');
      } else if (kind === 'update') {
        await client.workflow.getHandle('entity-1').executeUpdate('bump');
      } else {
        await client.workflow.execute(kind, { taskQueue: 'exp', workflowId: id });
      }
    };
    if (kind === 'update' || kind === 'query' || kind === 'signalEntity') await client.workflow.start('entity', { taskQueue: 'exp', workflowId: 'entity-1', workflowIdConflictPolicy: 'USE_EXISTING' });
    for (let i = 0; i < 10; i++) await run(-i - 1);
    const s0 = ticks(pidOfServer), w0 = process.cpuUsage();
    const t0 = Date.now();
    for (let i = 0; i < N; i += 5) await Promise.all([0, 1, 2, 3, 4].map((j) => run(i + j)));
    const s1 = ticks(pidOfServer), w1 = process.cpuUsage(w0);
    console.log(`${kind.padEnd(12)} server ${((s1 - s0) / N).toFixed(1)} ms/wf   this process ${((w1.user + w1.system) / 1000 / N).toFixed(1)} ms/wf   wall ${((Date.now() - t0) / N).toFixed(1)} ms/wf`);
  }
  worker.shutdown(); await running; await server.stop();
}
main().catch((e) => { console.error(e); process.exit(1); });
