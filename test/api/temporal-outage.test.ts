import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { transferWorkflowId } from '../../src/contracts';
import { buildToolCallsPayload, newCallId } from '../../src/dev/vapi-payloads';
import { createLogger } from '../../src/observability/logger';
import { clientConnectionTuning } from '../../src/temporal/connection';
import { createDataConverter } from '../../src/temporal/data-converter';
import { parseAllowedHosts } from '../../src/vapi/control-url';
import { uniqueTaskQueue } from '../support/temporal';
import { defaultWebhookSettings } from '../support/test-app';

/** A TCP hop in front of the dev server that can drop every connection and refuse new ones for a while. */
async function startFlakyProxy(target: string) {
  const [host, port] = target.split(':') as [string, string];
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((socket) => {
    if (down) {
      socket.destroy();
      return;
    }
    const upstream = net.connect(Number(port), host);
    for (const end of [socket, upstream]) {
      sockets.add(end);
      end.on('close', () => sockets.delete(end));
      end.on('error', () => undefined);
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    goDown() {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    comeBack() {
      down = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let proxy: Awaited<ReturnType<typeof startFlakyProxy>>;
let client: Client;
const taskQueue = uniqueTaskQueue('outage');

beforeAll(async () => {
  proxy = await startFlakyProxy(process.env.TEMPORAL_ADDRESS!);
  client = new Client({
    connection: await Connection.connect({ address: proxy.address, ...clientConnectionTuning() }),
    dataConverter: createDataConverter(),
  });
});

afterAll(async () => {
  await client?.connection.close();
  await proxy?.close();
});

function appWithDeadline(startDeadlineMs: number) {
  return createApp({
    ...defaultWebhookSettings(),
    webhookAuth: { mode: 'none' },
    transferToolNames: ['transfer_call'],
    allowedHosts: parseAllowedHosts(['*.vapi.ai']),
    taskQueue,
    workflowClient: client.workflow,
    logger: createLogger({ level: 'silent' }),
    readiness: async () => ({ ready: true, temporal: 'reachable', workflowPollers: 1 }),
    startDeadlineMs,
  });
}

function toolCall() {
  const seed = newCallId();
  return buildToolCallsPayload({ callId: seed, controlUrl: `https://aws-us-west-2-production1-phone-call-websocket.vapi.ai/${seed}/control`, arguments: { department: 'billing' } });
}

describe('a webhook while Temporal is briefly unreachable', () => {
  it('keeps trying to start the workflow and answers 200 once the server is back, so nothing accepted is lost', async () => {
    const { body, callId, toolCallId } = toolCall();
    proxy.goDown();
    // Back after 4.5 s, well past the client's own first retries: the webhook must still be waiting then.
    setTimeout(() => proxy.comeBack(), 4_500);
    const started = Date.now();

    const response = await request(appWithDeadline(8_000)).post('/webhook').send(body);

    expect(response.status).toBe(200);
    expect(response.body.results[0].result).toMatch(/Transfer in progress/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
    const description = await client.workflow.getHandle(transferWorkflowId(callId, toolCallId)).describe();
    expect(description.status.name).toBe('RUNNING');
    await client.workflow.getHandle(description.workflowId).terminate('test cleanup');
  });

  it('answers 503 after its deadline when the outage lasts longer, and started nothing', async () => {
    const { body, callId, toolCallId } = toolCall();
    proxy.goDown();
    const started = Date.now();

    const response = await request(appWithDeadline(1_500)).post('/webhook').send(body);

    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ error: 'temporal_unavailable' });
    expect(Date.now() - started).toBeLessThan(6_000);
    proxy.comeBack();
    await expect(client.workflow.getHandle(transferWorkflowId(callId, toolCallId)).describe()).rejects.toThrow(/not found/i);
  });
});
