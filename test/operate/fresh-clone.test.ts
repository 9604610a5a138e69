import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../support/cli';

const run = promisify(execFile);
let clone: string;

beforeAll(async () => {
  // A clone has what is committed and no node_modules: what a new user has before any npm script ran.
  clone = path.join(mkdtempSync(path.join(tmpdir(), 'switchboard-clone-')), 'switchboard');
  await run('git', ['clone', '--quiet', '--no-hardlinks', PROJECT_ROOT, clone], { timeout: 60_000 });
}, 90_000);

afterAll(() => {
  if (clone) rmSync(path.dirname(clone), { recursive: true, force: true });
});

describe('npx switchboard in a fresh clone', () => {
  it('installs the dependencies itself, with a one-line notice, and then runs the command', async () => {
    expect(existsSync(path.join(clone, 'node_modules'))).toBe(false);

    const { stdout, stderr } = await run(process.execPath, [path.join(clone, 'bin/switchboard.mjs'), '--help'], {
      cwd: clone,
      env: { ...process.env, TEMPORAL_ADDRESS: undefined },
      timeout: 280_000,
      maxBuffer: 16 * 1024 * 1024,
    });

    expect(stderr.split('\n')[0]).toBe('switchboard: dependencies are not installed yet; running the set-up first (node scripts/setup.mjs --no-cli: npm ci)');
    expect(stderr).not.toMatch(/Cannot find module/);
    expect(stdout).toMatch(/^Usage: npx switchboard <command>/);
    expect(existsSync(path.join(clone, 'node_modules', 'tsx'))).toBe(true);
  }, 300_000);
});
