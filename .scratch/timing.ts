import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { startDevServer } from '../src/dev/dev-server';
import { temporalCliPath } from '../src/dev/temporal-binaries';
import { freePort } from '../src/temporal/free-port';
import { activitiesWith, alwaysOpenContactCenter, transferRequest } from '../test/support/factories';
import { TemporalAgentDirectory } from '../src/integrations/agent-directory';
import { WORKFLOWS_PATH } from '../src/temporal/worker';
import { FAILURE_CONVERTER_PATH, createDataConverter } from '../src/temporal/data-converter';
import { createMetrics } from '../src/observability/metrics';
import { startFakeControlServer } from '../src/dev/fake-control-server';
import { describeHistory } from '../bench/harness/timeline';
import { callEventSignal } from '../src/contracts';

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer({ cliPath: temporalCliPath(), port: await freePort(), logLevel: 'error' });
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  const control = await startFakeControlServer();
  const taskQueue = 'debug-' + Date.now();
  const { activities: real } = activitiesWith({ agents: new TemporalAgentDirectory(env.client.workflow, taskQueue), contactCenter: alwaysOpenContactCenter() });
  const marks: [string, number][] = [];
  const activities = Object.fromEntries(Object.entries(real).map(([name, fn]) => [name, async (...args: unknown[]) => { marks.push([`${name} start`, Date.now()]); try { return await (fn as any)(...args); } finally { marks.push([`${name} end`, Date.now()]); } }])) as typeof real;
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, logger: new DefaultLogger('ERROR') });
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, dataConverter: createDataConverter(), sinks: createMetrics({ departments: [], defaultMetrics: false }).sinks(), activities });
  await worker.runUntil(async () => {
    for (let i = 0; i < Number(process.env.N ?? 5); i++) {
      const request = transferRequest({ controlBaseUrl: control.baseUrl, outcomeTimeoutSeconds: 5 });
      const t0 = Date.now();
      const handle = await env.client.workflow.start('transferCall', { workflowId: 'dbg-' + Date.now(), taskQueue, args: [request] });
      await control.waitForCommands(request.callId, 1);
      await handle.signal(callEventSignal, { kind: 'forwarding' });
      await handle.result();
      const history = await handle.fetchHistory();
      if (i >= Number(process.env.N ?? 5) - 2) {
        const lines = [...describeHistory(history.events ?? [], t0).filter((e) => !e.event.startsWith('local')).map((e) => [e.atMs, e.event] as [number, string]), ...marks.map(([n, t]) => [t - t0, '  ' + n] as [number, string])];
        lines.sort((a, b) => a[0] - b[0]);
        for (const [at, e] of lines) console.log(at.toFixed(1).padStart(8), e);
      }
      marks.length = 0;
      console.log('---');
    }
  });
  await control.close();
  await env.teardown();
  await server.stop();
}
main().catch((e) => { console.error(e); process.exit(1); });
