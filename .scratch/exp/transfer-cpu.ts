import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, DefaultLogger, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer } from '../../src/dev/dev-server';
import { temporalCliPath } from '../../src/dev/temporal-binaries';
import { freePort } from '../../src/temporal/free-port';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { activitiesWith, alwaysOpenContactCenter, transferRequest } from '../../test/support/factories';
import { TemporalAgentDirectory } from '../../src/integrations/agent-directory';
import { WORKFLOWS_PATH } from '../../src/temporal/worker';
import { createDataConverter, failureConverterPathFor } from '../../src/temporal/data-converter';
import { createMetrics } from '../../src/observability/metrics';
import { transferStartOptions } from '../../src/temporal/transfer-start';
import { callEventSignal } from '../../src/contracts';

function calibrate(): number {
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const c0 = process.cpuUsage();
  let h = Buffer.alloc(64);
  for (let i = 0; i < 200_000; i++) h = createHash('sha256').update(h).digest();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}
const ticks = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startDevServer({ cliPath: temporalCliPath(), port: await freePort(), logLevel: 'error', dbFile: `/tmp/exp-t-${Date.now()}/t.sqlite` });
  const native = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection: await Connection.connect({ address: server.address }), dataConverter: createDataConverter() });
  const control = await startFakeControlServer();
  const taskQueue = 'exp';
  const { activities } = activitiesWith({ agents: new TemporalAgentDirectory(client.workflow, taskQueue), contactCenter: alwaysOpenContactCenter() });
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: failureConverterPathFor(false), logger: new DefaultLogger('ERROR') });
  const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, dataConverter: createDataConverter(), sinks: createMetrics({ departments: [], defaultMetrics: false }).sinks(), activities });
  const running = worker.run();
  const N = Number(process.env.N ?? 150);
  const one = async () => {
    const req = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 30, department: ['billing', 'support', 'sales'][Math.floor(Math.random() * 3)] });
    const h = await client.workflow.start('transferCall', transferStartOptions(req, taskQueue));
    await control.waitForCommands(req.callId, 1);
    await h.signal(callEventSignal, { kind: 'forwarding' });
    await h.result();
  };
  for (let i = 0; i < 10; i++) await one();
  for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
    const s0 = ticks(server.pid!), w0 = process.cpuUsage(), t0 = Date.now();
    for (let i = 0; i < N; i += 3) await Promise.all([one(), one(), one()]);
    const s1 = ticks(server.pid!), w1 = process.cpuUsage(w0);
    const cal = calibrate();
    console.log(`calib ${cal.toFixed(0)} ms   transfer  server ${((s1 - s0) / N).toFixed(1)} ms   node ${((w1.user + w1.system) / 1000 / N).toFixed(1)} ms   wall ${((Date.now() - t0) / N).toFixed(1)} ms`);
  }
  worker.shutdown(); await running; await control.close(); await server.stop();
}
main().catch((e) => { console.error(e); process.exit(1); });
