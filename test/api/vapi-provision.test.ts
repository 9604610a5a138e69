import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VapiClient } from '@vapi-ai/server-sdk';
import express from 'express';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { credentialName, httpCredentialApi, provisionVapi, waitingInLinePrompt } from '../../src/vapi/provisioning';

/** A local stand-in for the parts of Vapi's REST API that provisioning uses, shaped like the real one. */
function fakeVapiApi() {
  const state = {
    tools: [] as Record<string, any>[],
    credentials: [] as Record<string, any>[],
    assistants: [] as Record<string, any>[],
    requests: [] as { method: string; path: string; body: any; authorization: string | undefined }[],
    failNextToolCreate: false,
  };
  const app = express();
  app.use(express.json());
  app.use((req, _res, next) => {
    state.requests.push({ method: req.method, path: req.path, body: req.body, authorization: req.header('authorization') });
    next();
  });
  let next = 1;
  const id = (prefix: string) => `${prefix}-${next++}`;
  app.get('/tool', (_req, res) => res.json(state.tools));
  app.post('/tool', (req, res) => {
    if (state.failNextToolCreate) {
      state.failNextToolCreate = false;
      // The tool was created, but the answer is an error: a retry would create a second one.
      state.tools.push({ ...req.body, id: id('tool') });
      res.status(502).json({ message: 'bad gateway' });
      return;
    }
    const tool = { ...req.body, id: id('tool'), orgId: 'org-1', createdAt: new Date().toISOString() };
    state.tools.push(tool);
    res.status(201).json(tool);
  });
  app.patch('/tool/:id', (req, res) => {
    const tool = state.tools.find((t) => t.id === req.params.id);
    if (!tool) return void res.status(404).json({ message: 'not found' });
    Object.assign(tool, req.body);
    res.json(tool);
  });
  app.get('/credential', (_req, res) => res.json(state.credentials));
  app.post('/credential', (req, res) => {
    const credential = { ...req.body, id: id('cred') };
    state.credentials.push(credential);
    res.status(201).json(credential);
  });
  app.get('/assistant', (_req, res) => res.json(state.assistants));
  app.patch('/assistant/:id', (req, res) => {
    const assistant = state.assistants.find((a) => a.id === req.params.id);
    if (!assistant) return void res.status(404).json({ message: 'not found' });
    Object.assign(assistant, req.body);
    res.json(assistant);
  });
  app.post('/assistant', (req, res) => {
    const assistant = { ...req.body, id: id('asst') };
    state.assistants.push(assistant);
    res.status(201).json(assistant);
  });
  return { app, state };
}

let server: Server;
let baseUrl: string;
let api: ReturnType<typeof fakeVapiApi>;

beforeEach(async () => {
  api = fakeVapiApi();
  server = await new Promise((resolve) => {
    const listening = api.app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function provision(overrides: Partial<Parameters<typeof provisionVapi>[0]> = {}) {
  return provisionVapi({
    vapi: new VapiClient({ token: 'vapi-private-key', baseUrl }),
    credentials: httpCredentialApi(baseUrl, 'vapi-private-key'),
    webhookUrl: 'https://switchboard.example.com/webhook',
    toolName: 'transfer_call',
    auth: { mode: 'bearer', secret: 'shh-webhook-secret' },
    ...overrides,
  });
}

describe('npm run vapi:provision', () => {
  it('creates an async transfer_call function tool pointing at the webhook, with a bearer credential', async () => {
    const result = await provision();

    expect(result).toMatchObject({ tool: 'created', credential: 'created' });
    expect(api.state.credentials).toEqual([
      expect.objectContaining({
        name: credentialName('transfer_call'),
        provider: 'custom-credential',
        authenticationPlan: { type: 'bearer', token: 'shh-webhook-secret', headerName: 'Authorization', bearerPrefixEnabled: true },
      }),
    ]);
    expect(api.state.tools).toEqual([
      expect.objectContaining({
        type: 'function',
        async: true,
        function: expect.objectContaining({ name: 'transfer_call', parameters: expect.objectContaining({ required: ['department', 'reason'] }) }),
        server: { url: 'https://switchboard.example.com/webhook', timeoutSeconds: 20, credentialId: result.credentialId },
      }),
      expect.objectContaining({
        type: 'function',
        async: true,
        function: expect.objectContaining({ name: 'request_callback', description: expect.stringMatching(/would rather be called back than wait/), parameters: expect.objectContaining({ properties: { notBefore: expect.objectContaining({ type: 'string' }) }, required: [] }) }),
        server: { url: 'https://switchboard.example.com/webhook', timeoutSeconds: 20, credentialId: result.credentialId },
      }),
    ]);
    expect(api.state.requests.every((r) => r.authorization === 'Bearer vapi-private-key')).toBe(true);
  });

  it('is idempotent: a second run finds the tool and the credential and creates nothing', async () => {
    const first = await provision({ assistantName: 'Switchboard demo' });
    const creates = api.state.requests.filter((r) => r.method === 'POST').length;

    const second = await provision({ assistantName: 'Switchboard demo' });

    expect(second).toEqual({ ...first, tool: 'unchanged', callbackTool: 'unchanged', credential: 'found', assistant: 'found' });
    expect(api.state.requests.filter((r) => r.method === 'POST' || r.method === 'PATCH')).toHaveLength(creates);
    expect(api.state.tools).toHaveLength(2);
    expect(api.state.assistants).toHaveLength(1);
  });

  it('points an existing tool at a new webhook URL instead of creating another', async () => {
    await provision();

    const moved = await provision({ webhookUrl: 'https://new.example.com/webhook' });

    expect(moved).toMatchObject({ tool: 'updated', callbackTool: 'updated' });
    expect(api.state.tools).toHaveLength(2);
    expect(api.state.tools.map((tool) => tool.server.url)).toEqual(['https://new.example.com/webhook', 'https://new.example.com/webhook']);
  });

  it('does not retry a create whose answer failed, so a lost answer never makes a duplicate tool', async () => {
    api.state.failNextToolCreate = true;

    await expect(provision()).rejects.toThrow();

    expect(api.state.requests.filter((r) => r.method === 'POST' && r.path === '/tool')).toHaveLength(1);
  });

  it('creates an hmac credential as Vapi signs by default, and an assistant with Live Call Control on', async () => {
    const result = await provision({ auth: { mode: 'hmac', secret: 'hmac-secret', algorithm: 'sha256', encoding: 'hex' }, assistantName: 'Switchboard demo' });

    expect(api.state.credentials[0]!.authenticationPlan).toEqual({
      type: 'hmac',
      secretKey: 'hmac-secret',
      algorithm: 'sha256',
      signatureHeader: 'x-signature',
      timestampHeader: 'x-timestamp',
      signatureEncoding: 'hex',
    });
    expect(api.state.assistants[0]).toMatchObject({
      name: 'Switchboard demo',
      monitorPlan: { controlEnabled: true },
      model: { toolIds: [result.toolId, result.callbackToolId] },
      serverMessages: expect.arrayContaining(['status-update', 'end-of-call-report', 'transfer-destination-request']),
    });
  });

  it('tells a new assistant how to keep a waiting caller company: their place, no second transfer, a call back offered', async () => {
    await provision({ assistantName: 'Switchboard demo' });

    const system = api.state.assistants[0]!.model.messages.find((message: { role: string }) => message.role === 'system').content as string;
    for (const line of waitingInLinePrompt('transfer_call')) expect(system).toContain(line);
    expect(system).toMatch(/system message with their place in line and the estimated wait/);
    expect(system).toMatch(/do not call transfer_call again/);
    expect(system).toMatch(/offer a call back: call request_callback/);
  });

  it('adds the call back tool and the waiting-in-line lines to an assistant found by name, keeping the rest of its model', async () => {
    api.state.assistants.push({ id: 'asst-own', name: 'Support line', model: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.3, toolIds: ['tool-of-theirs'], messages: [{ role: 'system', content: 'You are the support line of Acme.' }] } });

    const result = await provision({ assistantName: 'Support line' });
    const again = await provision({ assistantName: 'Support line' });

    expect(result.assistant).toBe('updated');
    expect(again.assistant).toBe('found');
    const model = api.state.assistants[0]!.model;
    expect(model).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', temperature: 0.3, toolIds: ['tool-of-theirs', result.toolId, result.callbackToolId] });
    expect(model.messages).toEqual([{ role: 'system', content: ['You are the support line of Acme.', ...waitingInLinePrompt('transfer_call')].join('\n') }]);
    expect(api.state.requests.filter((r) => r.method === 'PATCH' && r.path === '/assistant/asst-own')).toHaveLength(1);
  });

  it('gives the README the same waiting-in-line lines it gives the assistant', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    for (const line of waitingInLinePrompt('transfer_call')) expect(readme).toContain(line);
  });
});
