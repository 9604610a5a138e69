import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { replayTransfers } from '../../src/operations/replay';
import { createDataConverter } from '../../src/temporal/data-converter';
import { CURRENT_GENERATION, HISTORIES_DIR, HISTORY_SCENARIOS } from '../support/history-scenarios';
import { installQuietRuntime, workflowBundle } from '../support/temporal';

const fixtures = readdirSync(HISTORIES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((generation) =>
    readdirSync(path.join(HISTORIES_DIR, generation.name))
      .filter((file) => file.endsWith('.json') && !file.endsWith('.meta.json'))
      .map((file) => {
        const at = path.join(HISTORIES_DIR, generation.name, file);
        const meta = JSON.parse(readFileSync(at.replace(/\.json$/, '.meta.json'), 'utf8')) as { workflowId: string };
        return { generation: generation.name, name: `${generation.name}/${file.replace(/\.json$/, '')}`, file: at, workflowId: meta.workflowId };
      }),
  );

beforeAll(() => installQuietRuntime());

describe('recorded transferCall histories', () => {
  it(`cover every outcome and compensation branch of the current code (generation ${CURRENT_GENERATION})`, () => {
    const current = fixtures.filter((fixture) => fixture.generation === CURRENT_GENERATION).map((fixture) => fixture.name);
    expect(current).toEqual(expect.arrayContaining(HISTORY_SCENARIOS.map((scenario) => `${CURRENT_GENERATION}/${scenario.name}`)));
  });

  it('include the 1.0 histories recorded under ids of the form transfer-<callId>-<toolCallId>, which the replays below keep replaying', () => {
    const baseline = fixtures.filter((fixture) => fixture.generation === '1.0');
    expect(baseline.length).toBeGreaterThan(0);
    for (const { workflowId } of baseline) expect(workflowId).toMatch(/^transfer-[0-9a-f-]{36}-call_\w+$/);
  });

  it.each(fixtures)('replays $name against the current workflow code without non-determinism', async ({ file, workflowId }) => {
    const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));

    // The operators' replay (npx switchboard replay): the production converter and the metrics sinks registered.
    const [verdict] = await replayTransfers([{ workflowId, history }], { dataConverter: createDataConverter(), workflowBundle: await workflowBundle() });

    expect(verdict).toMatchObject({ workflowId, message: null, ok: true });
  });
});
