import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/temporal/free-port';

export { descendantPids, pidMatching } from '../../bench/harness/processes';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once none of `pids` runs any more; rejects after `timeoutMs` naming the survivors. */
export async function allGone(pids: number[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pids.some(isAlive)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const survivors = pids.filter(isAlive);
  if (survivors.length > 0) {
    const described = execFileSync('ps', ['-o', 'pid=,cmd=', '-p', survivors.join(',')], { encoding: 'utf8' }).trim();
    throw new Error(`still running after ${timeoutMs} ms:\n${described}`);
  }
}

/**
 * The environment of an embedded `npm start` / `npm run start:temporal` that shares the machine with the test
 * suite's own dev server and with other runs: its own ports and data folder, and no TEMPORAL_ADDRESS (which
 * would point it at the suite's server instead of starting its own).
 */
const dataDirs: string[] = [];

/** Removes the data folders {@link embeddedEnv} made (call in afterAll, once their processes are gone). */
export function removeEmbeddedData(): void {
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function embeddedEnv(): Promise<Record<string, string | undefined>> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'switchboard-data-'));
  dataDirs.push(dataDir);
  return {
    TEMPORAL_ADDRESS: undefined,
    PORT: String(await freePort()),
    DEV_SERVER_PORT: String(await freePort()),
    DEV_UI_PORT: String(await freePort()),
    DATA_DIR: dataDir,
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
  };
}
