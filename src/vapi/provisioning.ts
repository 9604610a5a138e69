import type { Vapi, VapiClient } from '@vapi-ai/server-sdk';
import type { WebhookAuthConfig } from './webhook-auth';

/**
 * Creates, or finds by name, what a Vapi account needs to use Switchboard: the transfer tool (an async
 * function tool whose server is our webhook), the credential Vapi signs webhooks with, and optionally a
 * demo assistant. Running it again changes nothing that is already right. Creates are never retried: the
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
  credentialId: string | undefined;
  credential: 'created' | 'found' | 'none';
  assistantId?: string;
  assistant?: 'created' | 'found';
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
  const tools = (await options.vapi.tools.list()) as { id: string; type?: string; function?: { name?: string }; server?: Vapi.Server }[];
  const found = tools.find((tool) => tool.type === 'function' && tool.function?.name === options.toolName);
  let toolId: string;
  let tool: ProvisionResult['tool'];
  if (!found) {
    const created = await options.vapi.tools.create(
      {
        type: 'function',
        async: true,
        function: {
          name: options.toolName,
          description: 'Transfer the call to the right department or person. Use when the caller asks for a human or needs a specialist.',
          parameters: TRANSFER_TOOL_PARAMETERS,
        },
        server,
      } as Vapi.CreateToolsRequest,
      NO_RETRY,
    );
    toolId = created.id;
    tool = 'created';
  } else if (found.server?.url !== server.url || found.server?.credentialId !== server.credentialId) {
    await options.vapi.tools.update({ id: found.id, body: { type: 'function', server } as Vapi.UpdateToolsRequestBody }, NO_RETRY);
    toolId = found.id;
    tool = 'updated';
  } else {
    toolId = found.id;
    tool = 'unchanged';
  }
  log(`tool ${options.toolName}: ${tool} (${toolId})`);

  const result: ProvisionResult = { toolId, tool, credentialId, credential };
  if (options.assistantName) {
    const assistants = (await options.vapi.assistants.list()) as { id: string; name?: string }[];
    const existing = assistants.find((assistant) => assistant.name === options.assistantName);
    if (existing) {
      result.assistantId = existing.id;
      result.assistant = 'found';
    } else {
      const created = await options.vapi.assistants.create(
        {
          name: options.assistantName,
          firstMessage: 'Hello, how can I help you today?',
          model: {
            provider: 'openai',
            model: 'gpt-4o',
            toolIds: [toolId],
            messages: [
              {
                role: 'system',
                content: `You help callers and put them through to a person with the ${options.toolName} tool when they ask for one or need a specialist. Ask for the reason first.`,
              },
            ],
          },
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
