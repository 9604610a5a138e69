import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { TRANSFER_OUTCOMES, TransferOutcomeAttribute } from '../../src/contracts';
import { readTransferHistory } from '../../src/operations/transfer-history';
import { checkDecisions, replayTransfers } from '../../src/operations/replay';
import { createDataConverter } from '../../src/temporal/data-converter';
import { UNDO, UNDO_PREFIX } from '../../src/workflows/transfer/undo';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { CURRENT_GENERATION, FLOOR_SCENARIOS, HISTORIES_DIR, HISTORY_SCENARIOS } from '../support/history-scenarios';
import { alwaysOpenContactCenter } from '../support/factories';
import { installQuietRuntime, workflowBundle } from '../support/temporal';

type History = ReturnType<typeof historyFromJSON>;

const fixtures = readdirSync(HISTORIES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((generation) =>
    readdirSync(path.join(HISTORIES_DIR, generation.name))
      .filter((file) => file.endsWith('.json') && !file.endsWith('.meta.json'))
      .map((file) => {
        const at = path.join(HISTORIES_DIR, generation.name, file);
        const meta = JSON.parse(readFileSync(at.replace(/\.json$/, '.meta.json'), 'utf8')) as { workflowId: string };
        const history: History = historyFromJSON(JSON.parse(readFileSync(at, 'utf8')));
        return { generation: generation.name, name: `${generation.name}/${file.replace(/\.json$/, '')}`, history, workflowId: meta.workflowId };
      }),
  );
const current = fixtures.filter((fixture) => fixture.generation === CURRENT_GENERATION);
const workflowType = (history: History) => history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;

/** The outcome a transfer's history recorded: the TransferOutcome search attribute it upserted (plain JSON, never encrypted). */
function recordedOutcome(history: History): string | null {
  for (const event of history.events ?? []) {
    const payload = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[TransferOutcomeAttribute.name];
    if (payload?.data) return JSON.parse(Buffer.from(payload.data).toString()) as string;
  }
  return null;
}

beforeAll(() => installQuietRuntime());

describe('recorded histories', () => {
  it(`cover every scenario of the current code (generation ${CURRENT_GENERATION})`, () => {
    const names = current.map((fixture) => fixture.name.replace(/-run\d+$/, ''));
    expect(names).toEqual(expect.arrayContaining([...HISTORY_SCENARIOS, ...FLOOR_SCENARIOS].map((scenario) => `${CURRENT_GENERATION}/${scenario.name}`)));
  });

  it('cover every outcome a transfer can end with, as the code lists them', () => {
    const covered = new Set(current.filter((fixture) => workflowType(fixture.history) === 'transferCall').map((fixture) => recordedOutcome(fixture.history)));
    expect(TRANSFER_OUTCOMES.filter((outcome) => !covered.has(outcome))).toEqual([]);
  });

  it('include the 1.0 histories recorded under ids of the form transfer-<callId>-<toolCallId>, which the replays below keep replaying', () => {
    const baseline = fixtures.filter((fixture) => fixture.generation === '1.0');
    expect(baseline.length).toBeGreaterThan(0);
    for (const { workflowId } of baseline) expect(workflowId).toMatch(/^transfer-[0-9a-f-]{36}-call_\w+$/);
  });

  it('cover every compensation the transfer can run, as the code lists them', async () => {
    const converter = loadDataConverter(createDataConverter());
    const undone = new Set<string>();
    for (const fixture of current.filter((candidate) => workflowType(candidate.history) === 'transferCall')) {
      const story = await readTransferHistory(converter, fixture.history.events ?? []);
      for (const step of story.steps) if (step.summary?.startsWith(UNDO_PREFIX)) undone.add(step.activity);
    }
    expect(Object.keys(UNDO).filter((compensation) => !undone.has(compensation))).toEqual([]);
  });

  it('include a floor run that carried its state into the next one (continue-as-new)', () => {
    const floorRuns = current.filter((fixture) => workflowType(fixture.history) === 'floor');
    const continued = floorRuns.filter((fixture) => fixture.history.events?.some((event) => event.workflowExecutionContinuedAsNewEventAttributes));
    const carriedIn = floorRuns.filter((fixture) => fixture.history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId);
    expect(continued.length).toBeGreaterThan(0);
    expect(carriedIn.length).toBeGreaterThan(0);
  });

  it.each(fixtures.map(({ name, history, workflowId }) => ({ name, history, workflowId })))(
    'replays $name against the current workflow code without non-determinism',
    async ({ history, workflowId }) => {
      // The operators' replay (npx switchboard replay): the production converter and the metrics sinks registered.
      const [verdict] = await replayTransfers([{ workflowId, history }], { dataConverter: createDataConverter(), workflowBundle: await workflowBundle() });

      expect(verdict).toMatchObject({ workflowId, message: null, ok: true });
    },
  );

  it('flags a recorded transfer this routing would now send elsewhere, though its commands replay', async () => {
    const { history, workflowId } = current.find((fixture) => fixture.name === `${CURRENT_GENERATION}/success-forwarded`)!;
    const withoutAna = alwaysOpenContactCenter().agents.filter((agent) => agent.id !== 'a-ana');

    const [decision] = await checkDecisions([{ workflowId, history }], { converter: loadDataConverter(createDataConverter()), roster: withoutAna });

    expect(decision).toMatchObject({ workflowId, decision: 'differs', detail: expect.stringContaining('other agent') });
  });

  it('checks the decision of most recorded transfers, not only their commands', async () => {
    const transfers = fixtures.filter(({ history }) => workflowType(history) === 'transferCall');
    const decisions = await checkDecisions(transfers, { converter: loadDataConverter(createDataConverter()), roster: alwaysOpenContactCenter().agents });

    expect(decisions.filter((decision) => decision.decision === 'same').length).toBeGreaterThan(transfers.length * 0.75);
  });

  it.each(fixtures.filter(({ history }) => workflowType(history) === 'transferCall').map(({ name, history, workflowId }) => ({ name, history, workflowId })))(
    'decides $name the same today: this routing code sends the recorded call where it went',
    async ({ history, workflowId }) => {
      const [decision] = await checkDecisions([{ workflowId, history }], { converter: loadDataConverter(createDataConverter()), roster: alwaysOpenContactCenter().agents });

      expect(decision).toMatchObject({ workflowId, decision: expect.stringMatching(/^(same|not-recorded)$/) });
    },
  );
});
