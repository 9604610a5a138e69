import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startDevServer } from '../src/dev/dev-server';
import { temporalCliPath } from '../src/dev/temporal-binaries';
import { freePort } from '../src/temporal/free-port';
import { startFakeControlServer } from '../src/dev/fake-control-server';
import { transferRequest } from '../test/support/factories';
import { runTransfer } from '../test/support/run-transfer';
async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer({ cliPath: temporalCliPath(), port: await freePort(), logLevel: 'error' });
  process.env.TEMPORAL_ADDRESS = server.address;
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  const control = await startFakeControlServer();
  const run = await runTransfer(env, transferRequest({ controlBaseUrl: control.baseUrl }), { vapiReports: [{ kind: 'forwarding' }] });
  const h = await run.handle.fetchHistory();
  for (const e of h.events ?? []) console.log(e.eventId?.toString(), Object.keys(e).find((k) => k.endsWith('Attributes')), JSON.stringify((e as any).signalExternalWorkflowExecutionInitiatedEventAttributes ?? (e as any).workflowTaskFailedEventAttributes ?? '').slice(0, 300));
  await control.close(); await env.teardown(); await server.stop();
}
main().catch((e) => { console.error(e); process.exit(1); });
