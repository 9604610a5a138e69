import path from 'node:path';
import { spawnNpmScript, spawnTypeScript } from '../../bench/harness/processes';
import type { ManagedProcess } from '../../bench/harness/processes';
import { PROJECT_ROOT, switchboard } from '../support/cli';
import { allGone, descendantPids, embeddedEnv, removeEmbeddedData } from '../support/process-tree';

// What a new user sees: `npm start` with their own ADMIN_TOKEN and a DATA_DIR relative to the clone, the
// simulator and the transfer CLI run from other terminals with the same settings.

const OPERATOR_TOKEN = 'operator-chosen-token-do-not-print';
let npm: ManagedProcess;
let settings: Record<string, string | undefined>;
let dataDir: string;
let banner: string;

beforeAll(async () => {
  const embedded = await embeddedEnv();
  dataDir = embedded.DATA_DIR!;
  settings = { ...embedded, DATA_DIR: path.relative(PROJECT_ROOT, dataDir), ADMIN_TOKEN: OPERATOR_TOKEN };
  npm = spawnNpmScript('start', { name: 'npm start', env: settings, detached: true });
  await npm.waitForOutput(/^ {2}Try it: /, 150_000);
  banner = npm.outputTail().slice(npm.outputTail().indexOf('Switchboard is running.'));
}, 180_000);

afterAll(async () => {
  if (npm && !npm.hasExited()) {
    const tree = [npm.pid, ...descendantPids(npm.pid)];
    process.kill(-npm.pid, 'SIGINT');
    await allGone(tree, 30_000);
  }
  removeEmbeddedData();
});

describe('npm start', () => {
  it('prints absolute paths, and an ADMIN_TOKEN the operator set as "as set" rather than the token itself', () => {
    expect(banner).toContain(`(dev server, data in ${dataDir})`);
    expect(banner).toContain(`notes in ${dataDir}; set CRM_URL for your own`);
    expect(banner).toContain(`encrypted with the key in ${path.join(dataDir, 'payload-encryption.key')} (`);
    expect(banner).toContain(`PAYLOAD_ENCRYPTION_KEYS="$(cat ${path.join(dataDir, 'payload-encryption.key')})"`);
    expect(banner).toContain('(Authorization: Bearer <ADMIN_TOKEN as set>)');
    expect(npm.outputTail()).not.toContain(OPERATOR_TOKEN);
    expect(banner).toContain(`  Try it:        PORT=${settings.PORT} npm run simulate -- --department billing`);
  });

  it("serves the floor page at the banner's address: the sign-in form, then the page for the operator's token", async () => {
    const floor = /^ {2}Floor: +(\S+)/m.exec(banner)![1]!;
    expect(floor).toBe(`http://127.0.0.1:${settings.PORT}/floor`);
    expect(await (await fetch(floor)).text()).toContain('action="/floor/sign-in"');
    const signIn = await fetch(`${floor}/sign-in`, { method: 'POST', body: new URLSearchParams({ token: OPERATOR_TOKEN }), redirect: 'manual' });
    expect(signIn.status).toBe(303);
    const page = await fetch(floor, { headers: { cookie: signIn.headers.get('set-cookie')!.split(';')[0]! } });
    expect(await page.text()).toContain('<script src="/floor/assets/floor.js" defer></script>');
  });

  it("carries the simulator's --at into the transfer in this embedded mode, and its hint runs the CLI on the same DATA_DIR, which finds the note", async () => {
    const at = '2026-11-25T20:00:00Z';
    const terminal = { ...settings, ADMIN_TOKEN: undefined, LOG_LEVEL: 'error' };
    const simulated = spawnTypeScript('src/cli/simulate.ts', { name: 'simulate --at', args: ['--at', at], env: terminal });
    expect(await simulated.exited).toBe(0);
    const output = simulated.outputTail();
    const workflowId = /npx switchboard transfers show (\S+)/.exec(output)![1]!;

    expect(output).toContain(`Routing as of ${at}: honoured by this embedded npm start.`);
    expect(output).toContain(`Inspect it: DATA_DIR=${dataDir} DEV_SERVER_PORT=${settings.DEV_SERVER_PORT} npx switchboard transfers show ${workflowId}`);
    const shown = await fetch(`http://127.0.0.1:${settings.PORT}/transfers/${workflowId}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    expect(((await shown.json()) as { request: { routeAt?: string } }).request.routeAt).toBe(at);

    const cli = await switchboard(['transfers', 'show', workflowId], { ...terminal, DATA_DIR: dataDir });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^ {2}note \S+: (pending transfer|transferred)( \(.*\))?$/m);
  }, 90_000);
});
