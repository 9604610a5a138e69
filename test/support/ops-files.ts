import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../src/config/paths';

export const ALERTS_PATH = path.join(PROJECT_ROOT, 'ops/prometheus/alerts.yml');
export const ALERTS_TEST_PATH = path.join(PROJECT_ROOT, 'ops/prometheus/alerts.test.yml');
export const DASHBOARD_PATH = path.join(PROJECT_ROOT, 'ops/grafana/switchboard.json');

/**
 * Metrics the alerts or the dashboard name before Switchboard serves them: the test that scrapes /metrics
 * reports each as pending instead of failing, and fails once one is served (then remove it from here).
 */
export const NOT_SERVED_YET: readonly string[] = [];

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function alertRules(): AlertRule[] {
  const file = parse(readFileSync(ALERTS_PATH, 'utf8')) as { groups: { name: string; rules: AlertRule[] }[] };
  return file.groups.flatMap((group) => group.rules);
}

export interface AlertRulesTests {
  rule_files: string[];
  tests: {
    name: string;
    alert_rule_test: { eval_time: string; alertname: string; exp_alerts: { exp_labels: Record<string, string> }[] }[];
  }[];
}

export function alertRulesTests(): AlertRulesTests {
  return parse(readFileSync(ALERTS_TEST_PATH, 'utf8')) as AlertRulesTests;
}

export interface Dashboard {
  title: string;
  uid: string;
  panels: { id: number; title: string; type: string; gridPos: Record<string, number>; targets?: { expr: string; refId: string }[] }[];
}

export function dashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

/** Switchboard's and the Temporal SDK's metric names in a PromQL expression or an alert's text. */
export function metricNamesIn(text: string): string[] {
  return [...new Set(text.match(/\b(?:switchboard|temporal)_[a-z0-9_]*[a-z0-9]/g) ?? [])].sort();
}

export function metricNamesInAlerts(): string[] {
  return metricNamesIn(alertRules().flatMap((rule) => [rule.expr, ...Object.values(rule.annotations ?? {})]).join('\n'));
}

export function metricNamesInDashboard(): string[] {
  return metricNamesIn(dashboard().panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)).join('\n'));
}

const sampleNames = (exposition: string) => exposition.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0]);
const histogramPart = (name: string) => name.replace(/_(bucket|sum|count)$/, '');

/**
 * Whether Prometheus text has samples of `name`: the series itself, or a histogram's buckets and count
 * (the alerts name both `x_bucket` and, in prose, the family `x`). The Temporal SDK's exporter declares a
 * family only once it has a sample.
 */
function hasSamples(exposition: string, name: string): boolean {
  const sampled = new Set(sampleNames(exposition));
  return sampled.has(name) || sampled.has(`${name}_bucket`) || sampled.has(`${name}_count`);
}

/** Whether Prometheus text declares `name` (`# TYPE`), samples or not: a counter nothing has counted yet. */
export function declares(exposition: string, name: string): boolean {
  const declared = new Set(exposition.split('\n').flatMap((line) => /^# TYPE (\S+) /.exec(line)?.[1] ?? []));
  return declared.has(name) || declared.has(histogramPart(name)) || hasSamples(exposition, name);
}
