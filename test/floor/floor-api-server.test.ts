import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { startApiServer } from '../../src/api/server';
import type { FloorPicture } from '../../src/api/floor/feed';
import { loadConfig } from '../../src/config/env';
import { createLogger } from '../../src/observability/logger';
import { createDataConverter } from '../../src/temporal/data-converter';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import { activitiesWith, alwaysOpenContactCenter } from '../support/factories';
import { ADMIN_TOKEN, EventStreamReader, sessionFrom } from '../support/floor-page';
import { connectTestEnv, uniqueTaskQueue } from '../support/temporal';
import { floorBackedActivities, startTestWorkers } from '../support/workers';

let env: TestWorkflowEnvironment;
let workers: Awaited<ReturnType<typeof startTestWorkers>>;
const taskQueue = uniqueTaskQueue('floor-server');

beforeAll(async () => {
  env = await connectTestEnv();
  workers = await startTestWorkers(env, taskQueue, floorBackedActivities(env, taskQueue).activities);
});

afterAll(async () => {
  await workers?.stop();
  await env?.teardown();
});

describe('the API server as start:api and npm start assemble it', () => {
  it('serves the floor with its configuration (Web UI, namespace, encryption, the parts), and closes at once with pages open', async () => {
    const config = loadConfig({ PORT: '0', ADMIN_TOKEN, TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_UI_URL: 'https://temporal.example.com/', LOG_LEVEL: 'silent' });
    const codec = new AesGcmPayloadCodec([{ id: 'k-server', key: Buffer.alloc(32, 3) }]);
    const api = await startApiServer({
      config,
      client: env.client,
      logger: createLogger({ level: 'silent' }),
      webhookAuth: { mode: 'none' },
      contactCenter: alwaysOpenContactCenter(),
      crm: activitiesWith().deps.crm,
      codec,
      dataConverter: createDataConverter(codec),
      // As start:api passes it (npm start passes its own UI).
      ...(config.temporalUiUrl ? { temporalUiUrl: config.temporalUiUrl } : {}),
    });
    let closed = false;
    try {
      const signIn = await request(api.url).post('/floor/sign-in').type('form').send({ token: ADMIN_TOKEN }).expect(303);
      const cookie = sessionFrom(signIn.headers['set-cookie']);
      const pages = await Promise.all([1, 2, 3].map(() => EventStreamReader.open(`${api.url}/floor/events`, { cookie })));
      const picture = (await pages[0]!.next((event) => event.event === 'snapshot' && event.data.status.loaded, { timeoutMs: 15_000 })).data as FloorPicture;
      expect(picture.agents).toHaveLength(12);
      expect(picture.links).toEqual({ temporalUi: 'https://temporal.example.com', namespace: 'default' });
      expect(picture.status.encryption).toBe('on');
      const parts = await pages[0]!.next((event) => event.event === 'status' && event.data.temporal === 'reachable', { timeoutMs: 10_000 });
      expect(parts.data).toMatchObject({ workflowPollers: expect.any(Number), crm: { kind: 'demo', status: 'reachable' } });
      expect(parts.data.workflowPollers).toBeGreaterThan(0);

      const ended = pages.map((page) => new Promise<void>((resolve) => page.response.once('end', () => resolve())));
      const started = Date.now();
      await api.close();
      closed = true;
      await Promise.all(ended);
      // Open pages hold no one up: the process stops as fast as with none open.
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      if (!closed) await api.close();
    }
  });
});
