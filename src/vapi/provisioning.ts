import type { Vapi, VapiClient } from '@vapi-ai/server-sdk';
import { CALLBACK_TOOL_NAME } from '../contracts';
import type { WebhookAuthConfig } from './webhook-auth';

/**
 * Creates, or finds by name, what a Vapi account needs to use Switchboard: the transfer tool and the
 * `request_callback` tool (async function tools whose server is our webhook), the credential Vapi signs
 * webhooks with, and optionally a demo assistant that uses both and knows how to keep a caller company while
 * they wait in line. Running it again changes nothing that is already right. Creates are never retried: the
 * SDK retries POSTs by default, which would create duplicates after a lost answer.
 */

export const TRANSFER_TOOL_PARAMETERS = {
  type: 'object' as const,
  properties: {
    department: { type: 'string' as const, description: "Department to transfer to (e.g. 'support', 'sales', 'billing')" },
    reason: { type: 'string' as const, description: 'Why the caller wants to be transferred, in their words' },
    urgency: { type: 'string' as const, enum: ['low', 'medium', 'high', 'critical'], description: 'Urgency of the transfer' },
    customerId: { type: 'string' as const, description: 'The customer id, when the caller gave it' },
  },
  required: ['department', 'reason'],
};

export const CALLBACK_TOOL_PARAMETERS = {
  type: 'object' as const,
  properties: {
    notBefore: {
      type: 'string' as const,
      description: 'The earliest time the caller wants the call back, as an ISO 8601 time with its offset (e.g. 2026-11-25T15:00:00-05:00). Leave it out for as soon as an agent is free.',
    },
  },
  required: [] as string[],
};

export const CALLBACK_TOOL_DESCRIPTION =
  'Arrange a call back instead of waiting on the line. Use only while the caller is waiting in line for an agent and says they would rather be called back than wait. ' +
  'Optional notBefore: the earliest time they want the call. Tell the caller what it answers.';

/**
 * What the assistant must know about waiting in line (the same lines are in the README, "When every agent is
 * busy"): Switchboard tells it the caller's place and estimate in system messages, and it keeps the caller
 * company rather than transferring again.
 */
export function waitingInLinePrompt(transferToolName: string): string[] {
  return [
    'When every agent is busy, the caller waits in line: you receive a system message with their place in line and the estimated wait, and another whenever that changes.',
    `While the caller waits, tell them their place and the estimate in your own words, keep helping them with anything you can, and do not call ${transferToolName} again: they are put through as soon as an agent is free.`,
    `If the caller would rather not wait, offer a call back: call ${CALLBACK_TOOL_NAME} (with notBefore if they want it no earlier than a given time) and tell them what it answers.`,
  ];
}

/** Vapi's credential endpoints are not in the SDK; this is the slice of them provisioning uses. */
export interface CredentialApi {
  list(): Promise<{ id: string; name?: string }[]>;
  create(body: Record<string, unknown>): Promise<{ id: string }>;
}

export interface ProvisionOptions {
  vapi: Pick<VapiClient, 'tools' | 'assistants'>;
  credentials: CredentialApi;
  webhookUrl: string;
  toolName: string;
  auth: WebhookAuthConfig;
  /** Also create (or find) an assistant with this name that uses the tool. */
  assistantName?: string;
  log?: (line: string) => void;
}

export interface ProvisionResult {
  toolId: string;
  tool: 'created' | 'updated' | 'unchanged';
  callbackToolId: string;
  callbackTool: 'created' | 'updated' | 'unchanged';
  credentialId: string | undefined;
  credential: 'created' | 'found' | 'none';
  assistantId?: string;
  /** `updated`: an assistant found by name lacked a tool or the waiting-in-line lines, and has them now. */
  assistant?: 'created' | 'found' | 'updated';
}

const NO_RETRY = { maxRetries: 0 } as const;

export function credentialName(toolName: string): string {
  return `switchboard-${toolName}-webhook`;
}

function credentialBody(name: string, auth: WebhookAuthConfig): Record<string, unknown> | undefined {
  switch (auth.mode) {
    case 'none':
      return undefined;
    case 'bearer': {
      const headerName = auth.headerName ?? 'authorization';
      return {
        provider: 'custom-credential',
        name,
        authenticationPlan: {
          type: 'bearer',
          token: auth.secret,
          headerName: headerName.toLowerCase() === 'authorization' ? 'Authorization' : headerName,
          bearerPrefixEnabled: headerName.toLowerCase() === 'authorization',
        },
      };
    }
    case 'hmac':
      return {
        provider: 'custom-credential',
        name,
        authenticationPlan: {
          type: 'hmac',
          secretKey: auth.secret,
          algorithm: auth.algorithm ?? 'sha256',
          signatureHeader: auth.signatureHeader ?? 'x-signature',
          timestampHeader: auth.timestampHeader ?? 'x-timestamp',
          signatureEncoding: auth.encoding ?? 'hex',
          ...(auth.signaturePrefix ? { signaturePrefix: auth.signaturePrefix } : {}),
        },
      };
  }
}

export async function provisionVapi(options: ProvisionOptions): Promise<ProvisionResult> {
  const log = options.log ?? (() => undefined);

  let credentialId: string | undefined;
  let credential: ProvisionResult['credential'] = 'none';
  const name = credentialName(options.toolName);
  const body = credentialBody(name, options.auth);
  if (body) {
    const existing = (await options.credentials.list()).find((item) => item.name === name);
    if (existing) {
      credentialId = existing.id;
      credential = 'found';
      log(`credential ${name}: found (${existing.id}); delete it in Vapi to rotate the secret`);
    } else {
      credentialId = (await options.credentials.create(body)).id;
      credential = 'created';
      log(`credential ${name}: created (${credentialId})`);
    }
  }

  const server: Vapi.Server = { url: options.webhookUrl, timeoutSeconds: 20, ...(credentialId ? { credentialId } : {}) };
  const tools = (await options.vapi.tools.list()) as ListedTool[];
  const transfer = await ensureTool(options.vapi, tools, server, {
    name: options.toolName,
    description: 'Transfer the call to the right department or person. Use when the caller asks for a human or needs a specialist.',
    parameters: TRANSFER_TOOL_PARAMETERS,
  });
  log(`tool ${options.toolName}: ${transfer.state} (${transfer.id})`);
  const callback = await ensureTool(options.vapi, tools, server, { name: CALLBACK_TOOL_NAME, description: CALLBACK_TOOL_DESCRIPTION, parameters: CALLBACK_TOOL_PARAMETERS });
  log(`tool ${CALLBACK_TOOL_NAME}: ${callback.state} (${callback.id})`);

  const result: ProvisionResult = { toolId: transfer.id, tool: transfer.state, callbackToolId: callback.id, callbackTool: callback.state, credentialId, credential };
  if (options.assistantName) {
    const toolIds = [transfer.id, callback.id];
    const prompt = [
      `You help callers and put them through to a person with the ${options.toolName} tool when they ask for one or need a specialist. Ask for the reason first.`,
      ...waitingInLinePrompt(options.toolName),
    ].join('\n');
    const assistants = (await options.vapi.assistants.list()) as ListedAssistant[];
    const existing = assistants.find((assistant) => assistant.name === options.assistantName);
    if (existing) {
      result.assistantId = existing.id;
      const model = withToolsAndPrompt(existing.model, toolIds, waitingInLinePrompt(options.toolName));
      if (model) await options.vapi.assistants.update({ id: existing.id, model }, NO_RETRY);
      result.assistant = model ? 'updated' : 'found';
    } else {
      const created = await options.vapi.assistants.create(
        {
          name: options.assistantName,
          firstMessage: 'Hello, how can I help you today?',
          model: { provider: 'openai', model: 'gpt-4o', toolIds, messages: [{ role: 'system', content: prompt }] },
          // Live Call Control must stay on: the transfer is executed through call.monitor.controlUrl.
          monitorPlan: { controlEnabled: true },
          server,
          serverMessages: ['status-update', 'transfer-update', 'end-of-call-report', 'transfer-destination-request'],
        } as Vapi.CreateAssistantDto,
        NO_RETRY,
      );
      result.assistantId = created.id;
      result.assistant = 'created';
    }
    log(`assistant ${options.assistantName}: ${result.assistant} (${result.assistantId})`);
  }
  return result;
}

type ListedTool = { id: string; type?: string; function?: { name?: string }; server?: Vapi.Server };
type ListedAssistant = { id: string; name?: string; model?: { toolIds?: string[]; messages?: { role?: string; content?: string }[] } & Record<string, unknown> };

/** Finds a function tool by name, pointing it at our webhook if it points elsewhere, or creates it. */
async function ensureTool(
  vapi: ProvisionOptions['vapi'],
  tools: ListedTool[],
  server: Vapi.Server,
  tool: { name: string; description: string; parameters: Vapi.OpenAiFunctionParameters },
): Promise<{ id: string; state: ProvisionResult['tool'] }> {
  const found = tools.find((candidate) => candidate.type === 'function' && candidate.function?.name === tool.name);
  if (!found) {
    const created = await vapi.tools.create({ type: 'function', async: true, function: tool, server } as Vapi.CreateToolsRequest, NO_RETRY);
    return { id: created.id, state: 'created' };
  }
  if (found.server?.url !== server.url || found.server?.credentialId !== server.credentialId) {
    await vapi.tools.update({ id: found.id, body: { type: 'function', server } as Vapi.UpdateToolsRequestBody }, NO_RETRY);
    return { id: found.id, state: 'updated' };
  }
  return { id: found.id, state: 'unchanged' };
}

/**
 * The assistant's model with both tools and the waiting-in-line lines in its system message, or null when it
 * has them already. The rest of the model is sent back as Vapi gave it: an update replaces the whole model.
 */
function withToolsAndPrompt(model: ListedAssistant['model'], toolIds: string[], lines: string[]): Vapi.UpdateAssistantDtoModel | null {
  if (!model) return null;
  const missingTools = toolIds.filter((id) => !(model.toolIds ?? []).includes(id));
  const messages = model.messages ?? [];
  const system = messages.find((message) => message.role === 'system');
  const missingLines = lines.filter((line) => !(system?.content ?? '').includes(line));
  if (missingTools.length === 0 && missingLines.length === 0) return null;
  const content = [system?.content, ...missingLines].filter(Boolean).join('\n');
  return {
    ...model,
    toolIds: [...(model.toolIds ?? []), ...missingTools],
    messages: system ? messages.map((message) => (message === system ? { ...message, content } : message)) : [{ role: 'system', content }, ...messages],
  } as Vapi.UpdateAssistantDtoModel;
}

/** Vapi's `/credential` endpoints over fetch, with the same base URL and API key as the SDK client. */
export function httpCredentialApi(baseUrl: string, token: string): CredentialApi {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const base = baseUrl.replace(/\/+$/, '');
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (!response.ok) throw new Error(`Vapi ${method} ${path} answered ${response.status}`);
    return (await response.json()) as T;
  }
  return {
    list: () => call('GET', '/credential'),
    create: (body) => call('POST', '/credential', body),
  };
}
