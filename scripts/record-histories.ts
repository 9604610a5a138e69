import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startDevServer } from '../src/dev/dev-server';
import { freePort } from '../src/temporal/free-port';
import { startFakeControlServer } from '../src/dev/fake-control-server';
import { temporalCliPath } from '../src/dev/temporal-binaries';
import { CALLBACK_SCENARIOS, CURRENT_GENERATION, FLOOR_SCENARIOS, HISTORIES_DIR, HISTORY_SCENARIOS } from '../test/support/history-scenarios';
import { connectTestEnv } from '../test/support/temporal';

/**
 * `npm run histories:record`: runs every history scenario (transfers, the floor, callbacks) on a throw-away dev server
 * and writes its history to test/fixtures/histories/<current generation>; `--only <names>` records just those.
 * Earlier generations are never touched.
 */
async function main(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv.slice(process.argv.indexOf('--only') + 1) : undefined;
  const outDir = path.join(HISTORIES_DIR, CURRENT_GENERATION);
  mkdirSync(outDir, { recursive: true });
  const server = process.env.TEMPORAL_ADDRESS
    ? undefined
    : await startDevServer({ cliPath: temporalCliPath(), port: await freePort(), logLevel: 'error' });
  if (server) process.env.TEMPORAL_ADDRESS = server.address;
  const env = await connectTestEnv();
  const control = await startFakeControlServer();
  try {
    for (const scenario of HISTORY_SCENARIOS) {
      if (only && !only.includes(scenario.name)) continue;
      const run = await scenario.run(env, control);
      const history = await run.handle.fetchHistory();
      const file = path.join(outDir, `${scenario.name}.json`);
      writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
      writeFileSync(
        path.join(outDir, `${scenario.name}.meta.json`),
        `${JSON.stringify({ workflowId: run.handle.workflowId, description: scenario.description, recordedAt: new Date().toISOString() }, null, 2)}\n`,
      );
      process.stdout.write(`recorded ${scenario.name} (${history.events?.length ?? 0} events, outcome ${run.status.outcome})\n`);
    }
    for (const scenario of FLOOR_SCENARIOS) {
      if (only && !only.includes(scenario.name)) continue;
      const { workflowId, runs } = await scenario.run(env);
      for (const [index, runId] of runs.entries()) {
        const name = runs.length > 1 ? `${scenario.name}-run${index + 1}` : scenario.name;
        const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
        writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
        writeFileSync(
          path.join(outDir, `${name}.meta.json`),
          `${JSON.stringify({ workflowId, description: scenario.description, recordedAt: new Date().toISOString() }, null, 2)}\n`,
        );
        process.stdout.write(`recorded ${name} (${history.events?.length ?? 0} events)\n`);
      }
    }
    for (const scenario of CALLBACK_SCENARIOS) {
      if (only && !only.includes(scenario.name)) continue;
      for (const { name, workflowId, description } of await scenario.run(env, control)) {
        const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
        writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
        writeFileSync(path.join(outDir, `${name}.meta.json`), `${JSON.stringify({ workflowId, description, recordedAt: new Date().toISOString() }, null, 2)}\n`);
        process.stdout.write(`recorded ${name} (${history.events?.length ?? 0} events)\n`);
      }
    }
  } finally {
    await control.close();
    await env.teardown();
    await server?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
