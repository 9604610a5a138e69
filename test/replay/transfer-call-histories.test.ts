import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { replayTransfers } from '../../src/operations/replay';
import { createDataConverter } from '../../src/temporal/data-converter';
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

  it('keep the histories recorded before the transfer-attempts-in-workflow patch (v4-*), which must replay along their path', () => {
    expect(fixtures.filter((fixture) => fixture.name.startsWith('v4-')).length).toBe(13);
  });

  it('keep the histories recorded before the transfer-survives-cancel patch (v3-*), which must replay along their path', () => {
    expect(fixtures.filter((fixture) => fixture.name.startsWith('v3-')).length).toBe(12);
  });

  it('keep the histories recorded before the routing-engine patch (v2-*), which must replay along their path', () => {
    expect(fixtures.filter((fixture) => fixture.name.startsWith('v2-')).length).toBe(11);
  });

  it('keep the histories recorded before the call-events patch, which must replay along the old path', () => {
    const names = fixtures.map((fixture) => fixture.name).filter((name) => name.startsWith('v1-'));
    expect(names.sort()).toEqual([
      'v1-cancelled-before-transfer',
      'v1-crm-down-degraded',
      'v1-success-agent',
      'v1-success-general-line',
      'v1-transfer-outcome-unknown',
      'v1-transfer-rejected-compensated',
      'v1-transfer-retried-then-accepted',
    ]);
  });

  it.each(fixtures)('replays $name against the current workflow code without non-determinism', async ({ file, workflowId }) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')));

    // The operators' replay (npx switchboard replay): the production converter and the metrics sinks registered.
    const [verdict] = await replayTransfers([{ workflowId, history }], { dataConverter: createDataConverter(), workflowBundle: await workflowBundle() });

    expect(verdict).toMatchObject({ workflowId, message: null, ok: true });
  });
});
