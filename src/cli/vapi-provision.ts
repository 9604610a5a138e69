import { parseArgs } from 'node:util';
import { VapiClient } from '@vapi-ai/server-sdk';
import { loadConfig } from '../config/env';
import { httpCredentialApi, provisionVapi } from '../vapi/provisioning';

const HELP = `npm run vapi:provision -- --url https://switchboard.example.com [--assistant "Name"]

Creates (or finds by name) the transfer tool and the request_callback tool in your Vapi account, pointing at
<url>/webhook, with a credential matching VAPI_WEBHOOK_AUTH / VAPI_WEBHOOK_SECRET; with --assistant, also an
assistant that uses both and is told how to keep a caller company while they wait in line (an assistant found
by that name gets the tools and those prompt lines added). Needs VAPI_API_KEY. VAPI_BASE_URL overrides
https://api.vapi.ai.
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, assistant: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const token = process.env.VAPI_API_KEY;
  const publicUrl = values.url ?? process.env.SWITCHBOARD_PUBLIC_URL;
  if (!token || !publicUrl) throw new Error(`VAPI_API_KEY and --url (or SWITCHBOARD_PUBLIC_URL) are required.\n\n${HELP}`);
  const url = new URL(publicUrl);
  if (url.protocol !== 'https:') throw new Error('the public URL must be https: Vapi sends webhooks only to https URLs');
  const config = loadConfig();
  if (!config.webhookAuth || config.webhookAuth.mode === 'none') {
    process.stderr.write('warning: VAPI_WEBHOOK_AUTH is not bearer or hmac; the tool will call your webhook without a credential\n');
  }
  const baseUrl = process.env.VAPI_BASE_URL ?? 'https://api.vapi.ai';
  const result = await provisionVapi({
    vapi: new VapiClient({ token, baseUrl }),
    credentials: httpCredentialApi(baseUrl, token),
    webhookUrl: new URL('/webhook', url).toString(),
    toolName: config.transferToolNames[0] ?? 'transfer_call',
    auth: config.webhookAuth ?? { mode: 'none' },
    ...(values.assistant ? { assistantName: values.assistant } : {}),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`vapi:provision failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
