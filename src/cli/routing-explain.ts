import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const HELP = `npm run routing:explain -- <tool-calls message.json> [--at 2026-11-25T15:00:00Z] [--url http://127.0.0.1:3000]

Asks a running Switchboard (POST /routing/explain, with ADMIN_TOKEN) what routing would decide for the
Vapi tool-calls message in the file (the body's "message" or the message itself), at --at or now, with the
agents' live state. Reserves nothing and calls no one.
`;

/** fetch's "fetch failed" hides the reason (ECONNREFUSED, ENOTFOUND) in its cause. */
function unreachableReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { at: { type: 'string' }, url: { type: 'string' } } });
  const file = positionals[0];
  const token = process.env.ADMIN_TOKEN;
  if (!file || !token) throw new Error(`a message file and ADMIN_TOKEN are required\n\n${HELP}`);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { message?: unknown };
  const message = parsed.message ?? parsed;
  const base = values.url ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  const response = await fetch(`${base}/routing/explain`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ message, ...(values.at ? { at: values.at } : {}) }),
  }).catch((error: unknown) => {
    throw new Error(`cannot reach Switchboard at ${base} (${values.url ? '--url' : 'PORT, or --url'}): ${unreachableReason(error)}`);
  });
  const body = await response.text();
  process.stdout.write(`${response.status === 200 ? JSON.stringify(JSON.parse(body), null, 2) : `HTTP ${response.status} ${body}`}\n`);
  if (response.status !== 200) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`routing:explain failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
