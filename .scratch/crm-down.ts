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

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer({ cliPath: temporalCliPath(), port: await freePort(), logLevel: 'error' });
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  const control = await startFakeControlServer();
  const taskQueue = 'debug-' + Date.now();
  const { activities } = activitiesWith({
    agents: new TemporalAgentDirectory(env.client.workflow, taskQueue),
    contactCenter: alwaysOpenContactCenter(),
    crm: { findCustomer: async () => { throw new Error('ECONNREFUSED'); }, upsertTransferNote: async () => ({ noteId: 'n' }), updateNoteStatus: async () => undefined },
  });
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, logger: new DefaultLogger('ERROR') });
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, dataConverter: createDataConverter(), sinks: createMetrics({ departments: [], defaultMetrics: false }).sinks(), activities });
  const request = transferRequest({ controlBaseUrl: control.baseUrl });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('transferCall', { workflowId: 'dbg-' + Date.now(), taskQueue, args: [request] });
    await new Promise((r) => setTimeout(r, Number(process.argv[2] ?? 12000)));
    const history = await handle.fetchHistory();
    for (const e of history.events ?? []) {
      const kind = Object.keys(e).find((k) => k.endsWith('Attributes'));
      const attrs = (e as any)[kind!];
      let extra = '';
      if (kind === 'markerRecordedEventAttributes') extra = JSON.stringify(Object.fromEntries(Object.entries(attrs.details ?? {}).map(([k, v]: any) => [k, v.payloads?.map((p: any) => Buffer.from(p.data).toString().slice(0, 300))])));
      if (kind === 'activityTaskScheduledEventAttributes') extra = attrs.activityType?.name;
      console.log(e.eventId?.toString(), kind, extra, e.userMetadata ? JSON.stringify(e.userMetadata).slice(0,200) : '');
    }
  });
  await control.close();
  await env.teardown();
  await server.stop();
}
main().catch((e) => { console.error(e); process.exit(1); });
