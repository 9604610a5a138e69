import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const EXAMPLE_MESSAGE = 'src/dev/templates/tool-calls.transfer.SYNTHETIC.json';

const HELP = `npm run routing:explain -- <message.json> [--at <ISO 8601 time>] [--url <Switchboard URL>]

Asks a running Switchboard (POST /routing/explain) what routing would decide for a Vapi tool-calls message:
department, office, language, mode, where the call would go (label, destination, agent), the reasons and the
fallbacks, with the agents' live state. Reserves nothing and calls no one.

  <message.json>   a Vapi tool-calls webhook body ({"message": {...}}) or the message itself; the transfer tool
                   call's arguments (department, reason, urgency, customerId) and the caller's number are read
                   (${EXAMPLE_MESSAGE} is one: billing, "question about my invoice")
  --at <time>      the as-of time for office hours and holidays, ISO 8601 with an offset (default: now)
  --url <url>      the Switchboard to ask (default http://127.0.0.1:$PORT, PORT default 3000)
  --help           this text

Needs ADMIN_TOKEN: the one the service was started with (npm start prints the one it made up).

Example (a Wednesday afternoon in New York):
  ADMIN_TOKEN=<token> npm run routing:explain -- ${EXAMPLE_MESSAGE} --at 2026-11-25T15:00:00-05:00
`;

/** fetch's "fetch failed" hides the reason (ECONNREFUSED, ENOTFOUND) in its cause. */
function unreachableReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { at: { type: 'string' }, url: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
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
