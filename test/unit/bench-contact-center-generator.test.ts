import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseContactCenterText } from '../../src/config/contact-center';
import { PROJECT_ROOT } from '../../src/config/paths';
import {
  agentsByDestination,
  contactCenterYaml,
  DEPARTMENT_CATALOGUE,
  destinationKey,
  generateContactCenter,
  generatedTraffic,
} from '../../bench/harness/contact-center-generator';
import { simulatedCall } from '../../bench/harness/traffic';

const yamlFor = (agents: number, seed?: number) => contactCenterYaml(generateContactCenter({ agents, ...(seed === undefined ? {} : { seed }) }), 'test');

describe('benchmark contact-center generator', () => {
  const centers = Object.fromEntries([12, 500, 5_000].map((agents) => [agents, parseContactCenterText(yamlFor(agents), `${agents}.yaml`)]));

  it('writes a 5,000-agent routing file that npm run routing:check accepts', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'contact-center-'));
    try {
      const file = path.join(dir, 'center.yaml');
      writeFileSync(file, yamlFor(5_000));

      const check = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/routing-check.ts', file], { cwd: PROJECT_ROOT, encoding: 'utf8' });

      expect(check.stderr).toBe('');
      expect(check.stdout).toContain('OK — 4 offices, 50 departments, 5000 agents, 8 CRM customers');
      expect(check.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [12, 3],
    [500, 15],
    [5_000, 50],
  ])('gives %i agents %i departments, with unique agent ids', (agents, departments) => {
    const center = centers[agents]!;

    expect(center.agents).toHaveLength(agents);
    expect(center.departments).toHaveLength(departments);
    expect(new Set(center.agents.map((agent) => agent.id)).size).toBe(agents);
  });

  it('skills every one of 5,000 agents in two or more departments', () => {
    const skills = centers[5_000]!.agents.map((agent) => agent.skills.length);

    expect(Math.min(...skills)).toBeGreaterThanOrEqual(2);
  });

  it.each([12, 500, 5_000])('staffs every department in every office with %i agents, so a caller’s own office can take the call', (agents) => {
    const center = centers[agents]!;

    for (const office of center.offices) {
      for (const department of center.departments) {
        expect(center.agents.some((agent) => agent.office === office.id && agent.skills.includes(department.id))).toBe(true);
      }
    }
  });

  it('keeps every office open all day, every day, so transfers reach agents whenever the bench runs', () => {
    for (const office of centers[500]!.offices) {
      expect(Object.keys(office.hours).sort()).toEqual(['fri', 'mon', 'sat', 'sun', 'thu', 'tue', 'wed']);
      for (const hours of Object.values(office.hours)) expect(hours).toEqual({ start: 0, end: 24 * 60 });
      expect(office.holidays).toEqual([]);
    }
  });

  it('mixes languages, tiers, capacities of 1 and 2, and number and SIP destinations', () => {
    const agents = centers[500]!.agents;

    expect(new Set(agents.flatMap((agent) => agent.languages)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(agents.map((agent) => agent.tier))).toEqual(new Set(['junior', 'senior']));
    expect(new Set(agents.map((agent) => agent.maxConcurrent))).toEqual(new Set([1, 2]));
    expect(new Set(agents.map((agent) => agent.destination.type))).toEqual(new Set(['number', 'sip']));
    expect(new Set(centers[500]!.customers.map((customer) => customer.tier))).toEqual(new Set(['standard', 'premium', 'enterprise']));
  });

  it('gives every agent its own destination, apart from every line, so a transfer’s destination names its agent', () => {
    const center = centers[5_000]!;
    const byDestination = agentsByDestination(center);
    const lines = [...Object.values(center.lines), ...center.departments.map((department) => department.line)];

    expect(byDestination.size).toBe(5_000);
    for (const line of lines) expect(byDestination.has(destinationKey(line))).toBe(false);
    expect(byDestination.get(destinationKey(center.agents[4_321]!.destination))).toBe(center.agents[4_321]!.id);
  });

  it('writes the same file for the same seed and another for another seed', () => {
    expect(yamlFor(500, 7)).toBe(yamlFor(500, 7));
    expect(yamlFor(500)).toBe(yamlFor(500));
    expect(yamlFor(500, 8)).not.toBe(yamlFor(500, 7));
  });

  it('sends calls to every generated department, each under its own id, from customers and unknown callers', () => {
    const center = centers[500]!;
    const traffic = generatedTraffic(center);
    const calls = Array.from({ length: traffic.requests.length * traffic.callers.length }, (_, index) => simulatedCall(index, (callId) => `http://127.0.0.1:1/${callId}/control`, traffic));

    expect(new Set(calls.map((call) => call.department))).toEqual(new Set(center.departments.map((department) => department.id)));
    expect(traffic.callers).toEqual(expect.arrayContaining(center.customers.map((customer) => customer.phone)));
    expect(traffic.callers.length).toBeGreaterThan(center.customers.length);
  });

  it('keeps department aliases distinct across the whole catalogue, so a reason names one department', () => {
    const aliases = DEPARTMENT_CATALOGUE.flatMap((department) => [department.id, ...department.aliases]);

    expect(new Set(aliases).size).toBe(aliases.length);
  });

  it('refuses a center without agents or with more departments than it knows', () => {
    expect(() => generateContactCenter({ agents: 0 })).toThrow('agents must be at least 1');
    expect(() => generateContactCenter({ agents: 10, departments: DEPARTMENT_CATALOGUE.length + 1 })).toThrow(`departments must be 1..${DEPARTMENT_CATALOGUE.length}`);
  });
});
