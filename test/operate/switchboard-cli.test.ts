import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../src/contracts';
import { PROJECT_ROOT, switchboard } from '../support/cli';

const HISTORIES = path.join(PROJECT_ROOT, 'test/fixtures/histories/1.0');

describe('npx switchboard replay', () => {
  it('exits 0 when every exported history replays cleanly against this checkout', async () => {
    const files = ['success-forwarded', 'transfer-rejected-compensated', 'fallback-next-agent', 'cancelled-before-transfer'].map((name) => path.join(HISTORIES, `${name}.json`));
    const result = await switchboard(['replay', ...files.flatMap((file) => ['--file', file])]);
    expect(result.stdout).toMatch(/4 replayed, 0 failed/);
    expect(result.code).toBe(0);
  });

  it('exits 1 and names the non-determinism when the code would take another path than the recorded run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'replay-'));
    const changed = path.join(dir, 'success-forwarded.json');
    // As if a deploy renamed the transfer step: the recorded run scheduled executeTransfer, the code now would not.
    writeFileSync(changed, readFileSync(path.join(HISTORIES, 'success-forwarded.json'), 'utf8').replace('"name": "executeTransfer"', '"name": "postTransfer"'));
    copyFileSync(path.join(HISTORIES, 'success-forwarded.meta.json'), path.join(dir, 'success-forwarded.meta.json'));
    const result = await switchboard(['replay', '--file', changed, '--file', path.join(HISTORIES, 'not-connected.json')]);
    expect(result.stdout).toMatch(/FAIL .*\n\s+nondeterminism: /);
    expect(result.stdout).toMatch(/2 replayed, 1 failed/);
    expect(result.code).toBe(1);
  });
});

describe('npx switchboard transfers and npm run temporal:setup against a cluster', () => {
  it('lists transfers, refuses unknown ids with exit 1, and explains usage mistakes with exit 2', async () => {
    // Filtered to one call, so the answer does not depend on what other test files left on the server.
    const listed = await switchboard(['transfers', 'list', '--since', '1h', '--call-id', 'cli-call-without-transfers']);
    expect(listed).toMatchObject({ code: 0, stdout: expect.stringContaining('(no transfers match)') });
    expect(listed.stdout).toMatch(/query: WorkflowType = 'transferCall' AND VapiCallId = 'cli-call-without-transfers' AND StartTime >= /);

    const missing = await switchboard(['transfers', 'show', 'transfer-nope-nope']);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/refused \(not_found\)/) });

    const usage = await switchboard(['transfers', 'frobnicate']);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown transfers command: frobnicate/) });
  });

  it('temporal:setup registers the search attributes idempotently', async () => {
    const run = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/cli/temporal-setup.ts')], { cwd: PROJECT_ROOT, env: process.env, timeout: 60_000 });
    const first = await run();
    const second = await run();
    // Every attribute Switchboard defines, the operators' views' (TransferAgent, TransferStage, TransferLatencyMs) included.
    expect(first.stdout + second.stdout).toContain(`already set up: ${SEARCH_ATTRIBUTES.map((attribute) => attribute.name).join(', ')} exist`);
  });
});
