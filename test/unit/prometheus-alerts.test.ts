import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { AGENT_WORKFLOW_TYPE, FLOOR_WORKFLOW_TYPE, TRANSFER_OUTCOMES, TRANSFER_TASK_QUEUE, TRANSFER_WORKFLOW_TYPE, floorTaskQueue } from '../../src/contracts';
import { VAPI_API_OUTCOMES } from '../../src/integrations/call-status';
import { createMetrics } from '../../src/observability/metrics';
import { ALERTS_PATH, ALERTS_TEST_PATH, alertRules, alertRulesTests, dashboard } from '../support/ops-files';

// The rules' own behaviour (which series fire which alert) is promtool's to test, from alerts.test.yml; these
// checks hold the rules to what Switchboard really counts, and run with or without promtool.

const rules = alertRules();
const tests = alertRulesTests();

/** The label values a rule matches for `label` on `metric`: `label="a"` or `label=~"a|b"`. */
function matchedValues(metric: string, label: string): string[] {
  const selector = new RegExp(`${metric}\\{([^}]*)\\}`, 'g');
  const matcher = new RegExp(`${label}(=~?)"([^"]*)"`);
  return rules.flatMap((rule) =>
    [...rule.expr.matchAll(selector)].flatMap(([, labels]) => {
      const found = matcher.exec(labels!);
      return found ? found[2]!.split('|') : [];
    }),
  );
}

describe('ops/prometheus/alerts.yml', () => {
  it('gives every alert a severity (critical pages, warning waits) and a summary and description that say where to look', () => {
    expect(rules.length).toBeGreaterThanOrEqual(10);
    for (const rule of rules) {
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({ alert: expect.stringMatching(/^Switchboard[A-Z][A-Za-z]+$/), severity: expect.stringMatching(/^(critical|warning)$/) });
      expect(rule.annotations?.summary?.length).toBeGreaterThan(20);
      expect(rule.annotations?.description).toContain('README: Operating it → Metrics and logs → Alerts');
    }
    expect(new Set(rules.map((rule) => rule.alert)).size).toBe(rules.length);
  });

  it('has a promtool test where each alert fires and one where it is expected not to', () => {
    const cases = tests.tests.flatMap((group) => group.alert_rule_test);
    for (const { alert } of rules) {
      const mine = cases.filter((test) => test.alertname === alert);
      expect({ alert, fires: mine.some((test) => test.exp_alerts.length > 0), silent: mine.some((test) => test.exp_alerts.length === 0) }).toEqual({ alert, fires: true, silent: true });
    }
    const known = new Set(rules.map((rule) => rule.alert));
    expect(cases.map((test) => test.alertname).filter((name) => !known.has(name))).toEqual([]);
    expect(tests.rule_files).toEqual([path.basename(ALERTS_PATH)]);
  });

  it('names only transfer outcomes Switchboard counts, and Vapi API outcomes that are failures', () => {
    const transferOutcomes = matchedValues('switchboard_transfers_total', 'outcome');
    expect(transferOutcomes.sort()).toEqual(['failed', 'failed', 'unknown', 'unknown']);
    for (const outcome of transferOutcomes) expect(TRANSFER_OUTCOMES).toContain(outcome);

    const vapiOutcomes = new Set(matchedValues('switchboard_vapi_api_requests_total', 'outcome'));
    expect([...vapiOutcomes].sort()).toEqual(VAPI_API_OUTCOMES.filter((outcome) => outcome !== 'ok' && outcome !== 'not-found').sort());
  });

  it("watches the default task queue and its floor's, as TEMPORAL_TASK_QUEUE's default names them", () => {
    const queues = new Set(matchedValues('temporal_\\w+', 'task_queue').map((queue) => queue.replace('(-floor)?', '')));
    expect([...queues]).toEqual([TRANSFER_TASK_QUEUE]);
    expect(rules.some((rule) => rule.expr.includes(`task_queue=~"${TRANSFER_TASK_QUEUE}(-floor)?"`))).toBe(true);
    expect(floorTaskQueue(TRANSFER_TASK_QUEUE)).toBe(`${TRANSFER_TASK_QUEUE}-floor`);
  });

  it('sees the first failure of each kind: the counters the rules take increase() of are exposed at 0 before anything is counted', async () => {
    const exposition = await createMetrics({ departments: ['billing', 'support'], defaultMetrics: false }).render();
    const zero = (series: string) => exposition.split('\n').includes(`${series} 0`);
    for (const department of ['billing', 'support', 'other', 'none']) {
      expect(zero(`switchboard_reservations_failed_total{department="${department}"}`)).toBe(true);
      for (const outcome of TRANSFER_OUTCOMES) expect(zero(`switchboard_transfers_total{department="${department}",outcome="${outcome}"}`)).toBe(true);
    }
    for (const outcome of VAPI_API_OUTCOMES) expect(zero(`switchboard_vapi_api_requests_total{operation="get-call",outcome="${outcome}"}`)).toBe(true);
    for (const type of [TRANSFER_WORKFLOW_TYPE, AGENT_WORKFLOW_TYPE, FLOOR_WORKFLOW_TYPE, 'other']) expect(zero(`switchboard_workflow_task_failures_total{workflow_type="${type}"}`)).toBe(true);
  });

  it('puts every p99 threshold on a bucket boundary of its histogram, so the comparison is exact', async () => {
    const metrics = createMetrics({ departments: ['billing'], defaultMetrics: false });
    metrics.webhookAnswered('tool-calls', 200, 0.01);
    metrics.sinks().transferMetrics.executed.fn({} as never, { department: 'billing', receivedAt: new Date().toISOString() });
    const exposition = await metrics.render();
    const thresholds = rules.flatMap((rule) => {
      const found = /histogram_quantile\(0\.99, .*\b(\w+)_bucket\[.*\)\s*>\s*([\d.]+)\s*$/s.exec(rule.expr.trim());
      return found ? [{ alert: rule.alert, family: found[1]!, threshold: found[2]! }] : [];
    });
    expect(thresholds).toHaveLength(4);
    for (const { alert, family, threshold } of thresholds) {
      expect({ alert, bucket: exposition.includes(`${family}_bucket{le="${threshold}",`) }).toEqual({ alert, bucket: true });
    }
  });
});

describe('ops/grafana/switchboard.json', () => {
  it('is a dashboard Grafana can import: a Prometheus data source to pick, unique panel ids, a query in every graph', () => {
    const board = dashboard() as ReturnType<typeof dashboard> & { templating: { list: { name: string; type: string; query: unknown }[] } };
    expect(board.uid).toBe('switchboard');
    expect(board.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    expect(new Set(board.panels.map((panel) => panel.id)).size).toBe(board.panels.length);
    for (const panel of board.panels.filter((each) => each.type !== 'row')) {
      expect([panel.title, (panel.targets ?? []).length > 0, typeof panel.gridPos?.w, typeof panel.gridPos?.h]).toEqual([panel.title, true, 'number', 'number']);
      expect(JSON.stringify(panel)).toContain('"uid":"${datasource}"');
    }
  });
});

/** promtool, from Debian's `prometheus` package (.ci/run installs it); undefined when it is not installed. */
const promtool = ((): string | undefined => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return 'promtool';
  } catch {
    return undefined;
  }
})();

const describeWithPromtool = promtool ? describe : describe.skip;
const skipped = promtool ? '' : ' — SKIPPED: promtool is not installed (apt-get install -y prometheus)';
// Said where a full run shows it, not only in the skipped tests' names: these rules were not run.
if (!promtool) console.warn(`promtool checks of ops/prometheus/alerts.yml and alerts.test.yml${skipped}`);

function run(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(promtool!, args, { encoding: 'utf8', cwd: path.dirname(ALERTS_PATH) });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describeWithPromtool(`promtool${skipped}`, () => {
  it('checks alerts.yml: valid PromQL and templates', () => {
    const result = run(['check', 'rules', ALERTS_PATH]);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.status).toBe(0);
  });

  it("passes alerts.test.yml: each alert fires on its series, not on the others, with the annotations it renders", () => {
    const result = run(['test', 'rules', ALERTS_TEST_PATH]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it("parses every query of the Grafana dashboard as PromQL", () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'switchboard-dashboard-'));
    try {
      const queries = dashboard().panels.flatMap((panel) => (panel.targets ?? []).map((target, index) => ({ record: `dashboard:panel_${panel.id}:${index}`, expr: target.expr })));
      const file = path.join(directory, 'dashboard-queries.yml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: queries }] }));
      const result = run(['check', 'rules', file]);
      expect(result.output).toContain(`SUCCESS: ${queries.length} rules found`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
