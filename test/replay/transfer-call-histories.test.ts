import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { HISTORY_SCENARIOS } from '../support/history-scenarios';
import { installQuietRuntime, workflowBundle } from '../support/temporal';

const HISTORIES = path.resolve(__dirname, '../fixtures/histories');

const fixtures = readdirSync(HISTORIES)
  .filter((file) => file.endsWith('.json') && !file.endsWith('.meta.json'))
  .map((file) => {
    const meta = JSON.parse(readFileSync(path.join(HISTORIES, file.replace(/\.json$/, '.meta.json')), 'utf8')) as { workflowId: string };
    return { name: file.replace(/\.json$/, ''), file, workflowId: meta.workflowId };
  });

beforeAll(() => installQuietRuntime());

describe('recorded transferCall histories', () => {
  it('cover every outcome and compensation branch of the current code', () => {
    const names = fixtures.map((fixture) => fixture.name);
    expect(names).toEqual(expect.arrayContaining(HISTORY_SCENARIOS.map((scenario) => scenario.name)));
  });

  it.each(fixtures)('replays $name against the current workflow code without non-determinism', async ({ file, workflowId }) => {
    const history = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8'));

    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId)).resolves.toBeUndefined();
  });
});
