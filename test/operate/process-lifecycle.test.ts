import { spawnNpmScript } from '../../bench/harness/processes';
import type { ManagedProcess } from '../../bench/harness/processes';
import { allGone, descendantPids, embeddedEnv, pidMatching, removeEmbeddedData } from '../support/process-tree';

// However an operator or a process manager ends these scripts, nothing may keep running: not the service
// (holding its ports), and not the Temporal dev server it started. Real npm, real signals, real processes.

const started: ManagedProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((child) => child.stop(2_000).catch(() => undefined)));
  removeEmbeddedData();
});

type Ending = [name: string, end: (npm: ManagedProcess, tree: number[]) => void, graceful: boolean];

const nodeOf = (tree: number[], entry: RegExp) => pidMatching(tree, entry);

describe('npm run start:temporal', () => {
  const entry = /node .*main-temporal\.ts/;
  const endings: Ending[] = [
    ['SIGTERM to the npm process', (npm) => process.kill(npm.pid, 'SIGTERM'), true],
    ['Ctrl-C (SIGINT to its process group)', (npm) => process.kill(-npm.pid, 'SIGINT'), true],
    ['SIGTERM to the node process', (_npm, tree) => process.kill(nodeOf(tree, entry), 'SIGTERM'), true],
    ['SIGKILL to the node process', (_npm, tree) => process.kill(nodeOf(tree, entry), 'SIGKILL'), false],
    ['SIGKILL to the npm process', (npm) => process.kill(npm.pid, 'SIGKILL'), true],
  ];

  it.each(endings)('takes the dev server and every other child with it on %s', async (name, end, graceful) => {
    const npm = spawnNpmScript('start:temporal', { name: `start:temporal (${name})`, env: await embeddedEnv(), detached: true });
    started.push(npm);
    await npm.waitForOutput(/Temporal dev server on/, 90_000);
    const tree = [npm.pid, ...descendantPids(npm.pid)];
    expect(pidMatching(tree, /temporal server start-dev/)).toBeGreaterThan(0);

    end(npm, tree);

    await allGone(tree);
    if (graceful) {
      expect(npm.outputTail()).toMatch(/"msg":"shutdown started"/);
      expect(npm.outputTail()).toMatch(/"msg":"shutdown finished"/);
    }
  }, 120_000);
});

describe('npm start', () => {
  const entry = /node .*src\/main\.ts/;
  const endings: Ending[] = [
    ['SIGTERM to the npm process, draining like Ctrl-C', (npm) => process.kill(npm.pid, 'SIGTERM'), true],
    ['SIGKILL to the node process', (_npm, tree) => process.kill(nodeOf(tree, entry), 'SIGKILL'), false],
  ];

  it.each(endings)('leaves no service and no dev server running after %s', async (name, end, graceful) => {
    const env = await embeddedEnv();
    const npm = spawnNpmScript('start', { name: `npm start (${name})`, env, detached: true });
    started.push(npm);
    await npm.waitForOutput(/Switchboard is running/, 120_000);
    const health = await fetch(`http://127.0.0.1:${env.PORT}/healthz`);
    expect(health.status).toBe(200);
    const tree = [npm.pid, ...descendantPids(npm.pid)];
    expect(pidMatching(tree, /temporal server start-dev/)).toBeGreaterThan(0);

    end(npm, tree);

    await allGone(tree, 30_000);
    await expect(fetch(`http://127.0.0.1:${env.PORT}/healthz`)).rejects.toThrow();
    if (graceful) {
      expect(npm.outputTail()).toMatch(/"reason":"SIGTERM","msg":"shutdown started"/);
      expect(npm.outputTail()).toMatch(/"msg":"shutdown finished"/);
    }
  }, 180_000);
});
