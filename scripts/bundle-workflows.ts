import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPathFor, workflowBundleVariant } from '../src/temporal/data-converter';
import { WORKFLOWS_PATH } from '../src/temporal/worker';

/**
 * `npm run build:workflow-bundle [-- out.js]`: bundles src/workflows once at build time, so workers start
 * without webpack (seconds saved per start) and every worker of a deployment runs byte-identical workflow
 * code. Writes `out.js` (failure messages readable, for PAYLOAD_ENCRYPTION_KEYS unset) and `out.encrypted.js`
 * (failure messages sealed by the codec); point WORKFLOW_BUNDLE_PATH at `out.js`, and workers pick the one
 * that matches their encryption. `--only plain|encrypted` writes just one of them.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1] : undefined;
  if (only !== undefined && only !== 'plain' && only !== 'encrypted') throw new Error('--only takes plain or encrypted');
  const out = path.resolve(args[0] ?? 'dist/workflow-bundle.js');
  mkdirSync(path.dirname(out), { recursive: true });
  for (const encrypted of [false, true]) {
    if (only && (only === 'encrypted') !== encrypted) continue;
    const file = workflowBundleVariant(out, encrypted);
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: failureConverterPathFor(encrypted) });
    writeFileSync(file, code);
    process.stdout.write(`workflow bundle (${encrypted ? 'failure messages encrypted' : 'failure messages readable'}) written to ${file} (${(code.length / 1024).toFixed(0)} KiB)\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
