import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { envSchema } from '../../src/config/env';

// No Docker engine runs on the development machines: these checks are what stands between the compose
// file and a typo nobody would notice until someone runs it.
const root = path.resolve(__dirname, '../..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      image?: string;
      build?: unknown;
      ports?: string[];
      environment?: Record<string, string>;
      command?: string[];
      depends_on?: Record<string, { condition: string }>;
      restart?: string;
      healthcheck?: { test: string[] };
    }
  >;
};
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

describe('docker-compose.yml', () => {
  it('runs Temporal on PostgreSQL with a schema job, the Web UI, and Switchboard api and worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgresql', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker']);
    expect(compose.services.postgresql!.image).toMatch(/^postgres:\d+/);
    expect(compose.services.temporal!.image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(compose.services['temporal-schema']!.image).toMatch(/^temporalio\/admin-tools:/);
    expect(compose.services['temporal-ui']!.image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(compose.services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
  });

  it('starts the server only after its schema exists, and Switchboard only after the namespace and search attributes', () => {
    expect(compose.services.temporal!.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(compose.services.api!.depends_on!['temporal-setup']).toEqual({ condition: 'service_completed_successfully' });
    const setup = JSON.stringify(compose.services['temporal-setup']);
    for (const name of ['VapiCallId', 'TransferDepartment', 'TransferOutcome', 'CustomerTier']) expect(setup).toContain(name);
  });

  it('starts api and workers once the server is healthy (not merely started), and restarts them on failure with no give-up count', () => {
    for (const name of ['api', 'worker']) {
      const service = compose.services[name]!;
      expect(service.depends_on).toEqual({
        temporal: { condition: 'service_healthy' },
        'temporal-setup': { condition: 'service_completed_successfully' },
      });
      // `on-failure:N` gives up after N restarts; an outage longer than that would leave no worker at all.
      expect(service.restart).toBe('on-failure');
      expect(service.healthcheck?.test.join(' ')).toMatch(/fetch\('http:\/\/127\.0\.0\.1:(3000\/healthz|9464\/metrics)'\)/);
    }
    // Every condition a service waits on has something to decide it: a health check, or a job that completes.
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        if (condition === 'service_healthy') expect([name, dependency, compose.services[dependency]!.healthcheck]).toEqual([name, dependency, expect.anything()]);
        else expect(condition).toBe('service_completed_successfully');
      }
    }
  });

  it('points api and worker at the cluster with settings the config schema accepts', () => {
    for (const name of ['api', 'worker']) {
      const env = compose.services[name]!.environment!;
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      const resolved = Object.fromEntries(
        Object.entries(env).map(([key, value]) => [key, String(value).replace(/\$\{([A-Z_]+)(:-([^}]*)|:\?[^}]*)?\}/g, (_m, _v, _d, fallback) => fallback ?? 'secret')]),
      );
      expect(envSchema.safeParse(resolved).success).toBe(true);
    }
    expect(compose.services.api!.environment!.VAPI_WEBHOOK_SECRET).toMatch(/:\?/);
    expect(compose.services.worker!.environment!.PAYLOAD_ENCRYPTION_KEYS).toBe(compose.services.api!.environment!.PAYLOAD_ENCRYPTION_KEYS);
    expect(compose.services.worker!.environment!.METRICS_PORT).toBe('9464');
  });

  it('lets the Web UI decrypt payloads through the api codec endpoint, and only from its own origin', () => {
    expect(compose.services['temporal-ui']!.environment!.TEMPORAL_CODEC_ENDPOINT).toMatch(/SWITCHBOARD_CODEC_ENDPOINT/);
    expect(compose.services.api!.environment!.CODEC_CORS_ORIGINS).toBe(`http://localhost:${compose.services['temporal-ui']!.ports![0]!.split(':')[0]}`);
  });

  it('lets the worker scale: no published ports, and the same image as the api', () => {
    expect(compose.services.worker!.ports).toBeUndefined();
    expect(compose.services.worker!.image).toBe(compose.services.api!.image);
    expect(compose.services.worker!.command).toEqual(['node', 'dist/src/temporal/main-worker.js']);
    expect(compose.services.api!.ports).toEqual(['3000:3000']);
    expect(compose.services['temporal-ui']!.ports).toEqual(['8080:8080']);
  });
});

describe('Dockerfile', () => {
  it('builds in one stage, runs as a non-root user from another, with workflows bundled at build time', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm run build:workflow-bundle/);
    expect(dockerfile).toMatch(/WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle\.js/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });
});
