import { parseArgs } from 'node:util';
import { transferWorkflowId } from '../contracts';
import { startFakeControlServer } from '../dev/fake-control-server';
import { buildForwardingStatusUpdate, buildToolCallsPayload } from '../dev/vapi-payloads';

const HELP = `npm run simulate -- [options]

Plays Vapi: posts a realistic tool-calls webhook for transfer_call to a running Switchboard, with a
controlUrl that points at a fake control server started here, and prints what that server receives. When
the transfer is accepted it reports it as Vapi does (a status-update "forwarding" webhook), so the
transfer ends "transferred".

  --department <name>     tool argument "department" (default billing)
  --reason <text>         tool argument "reason" (default "question about my invoice")
  --urgency <level>       low | medium | high | critical (default medium)
  --customer-id <id>      tool argument "customerId" (e.g. c-1001)
  --caller <e164>         caller's number (default +12125550111, a demo CRM customer)
  --times <n>             deliver the same webhook n times at once (default 1) to see deduplication
  --url <url>             webhook URL (default http://127.0.0.1:$PORT/webhook)
  --token <secret>        send Authorization: Bearer <secret>
  --wait <seconds>        how long to wait for control commands (default 20)
  --reject-transfer       the fake control server refuses the transfer (HTTP 400), to see a failed
                          transfer compensate, tell the caller, and show up in npx switchboard transfers list
  --ui <url>              Temporal Web UI base (default: what the running Switchboard reports on /healthz,
                          else TEMPORAL_UI_URL, else http://127.0.0.1:$DEV_UI_PORT)
`;

/** fetch's "fetch failed" hides the reason (ECONNREFUSED, ENOTFOUND) in its cause. */
function unreachableReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/**
 * The Web UI to link to: the one the running Switchboard knows (npm start's embedded UI, or its
 * TEMPORAL_UI_URL), so the link is right whatever DEV_UI_PORT that terminal used.
 */
async function webUiBase(webhookUrl: string, explicit: string | undefined): Promise<string> {
  if (explicit) return explicit.replace(/\/+$/, '');
  try {
    const health = (await (await fetch(new URL('/healthz', webhookUrl), { signal: AbortSignal.timeout(2_000) })).json()) as { temporalUi?: string };
    if (health.temporalUi) return health.temporalUi;
  } catch {
    // An older or unreachable service: fall back to this terminal's settings.
  }
  return (process.env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${process.env.DEV_UI_PORT ?? 8233}`).replace(/\/+$/, '');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      department: { type: 'string', default: 'billing' },
      reason: { type: 'string', default: 'question about my invoice' },
      urgency: { type: 'string', default: 'medium' },
      'customer-id': { type: 'string' },
      caller: { type: 'string', default: '+12125550111' },
      times: { type: 'string', default: '1' },
      url: { type: 'string' },
      token: { type: 'string' },
      wait: { type: 'string', default: '20' },
      ui: { type: 'string' },
      'reject-transfer': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const webhookUrl = values.url ?? `http://127.0.0.1:${process.env.PORT ?? 3000}/webhook`;
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const times = Math.max(1, Number.parseInt(values.times, 10) || 1);

  const control = await startFakeControlServer();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (values.token) headers.authorization = `Bearer ${values.token}`;
  const post = (body: unknown) =>
    fetch(webhookUrl, { method: 'POST', headers, body: JSON.stringify(body) }).catch((error: unknown) => {
      throw new Error(`cannot reach Switchboard's webhook at ${webhookUrl} (${values.url ? '--url' : 'PORT, or --url'}): ${unreachableReason(error)}`);
    });
  const reports: Promise<string>[] = [];
  control.respondWith((command) => {
    const isTransfer = (command.body as { type?: string })?.type === 'transfer';
    if (isTransfer && values['reject-transfer']) return { status: 400, body: { message: 'destination refused' } };
    if (isTransfer && toolCallIdOf(command.callId)) {
      // What Vapi does once it acts on the transfer: a status-update "forwarding" to the server URL.
      const report = buildForwardingStatusUpdate({ callId: command.callId, toolCallId: toolCallIdOf(command.callId)!, controlUrl: control.controlUrlFor(command.callId) });
      reports.push(
        new Promise((resolve) => setTimeout(resolve, 200)).then(async () => {
          const answer = await post(report);
          return `status-update forwarding -> HTTP ${answer.status}`;
        }),
      );
    }
    return { status: 200, body: {} };
  });
  const toolCalls = new Map<string, string>();
  const toolCallIdOf = (callId: string) => toolCalls.get(callId);
  try {
    const args: Record<string, unknown> = { department: values.department, reason: values.reason, urgency: values.urgency };
    if (values['customer-id']) args.customerId = values['customer-id'];
    const callIdSeed = crypto.randomUUID();
    const { body, callId, toolCallId } = buildToolCallsPayload({
      callId: callIdSeed,
      controlUrl: control.controlUrlFor(callIdSeed),
      arguments: args,
      callerNumber: values.caller,
      callerTurns: [`Hi, I need help: ${values.reason}.`, `Yes, please put me through to ${values.department}.`],
    });
    toolCalls.set(callId, toolCallId);
    const workflowId = transferWorkflowId(callId, toolCallId);
    process.stdout.write(`Fake control server: ${control.baseUrl}\nPosting tool-calls for call ${callId} to ${webhookUrl} (${times}x)\n`);

    const responses = await Promise.all(
      Array.from({ length: times }, async () => {
        const response = await post(body);
        return { status: response.status, body: await response.text() };
      }),
    );
    responses.forEach((response, index) => process.stdout.write(`  webhook answer #${index + 1}: HTTP ${response.status} ${response.body}\n`));
    if (responses.every((response) => response.status !== 200)) {
      process.exitCode = 1;
      return;
    }

    const waitMs = Number(values.wait) * 1000;
    const commands = await control.waitForCommands(callId, 1, waitMs).catch(() => control.commandsFor(callId));
    // Linger briefly: a duplicate transfer would show up here.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const all = control.commandsFor(callId);
    process.stdout.write(`\nControl commands received for this call: ${all.length}\n`);
    for (const command of all) process.stdout.write(`  POST ${command.path}\n  ${JSON.stringify(command.body)}\n`);
    const transfers = all.filter((command) => (command.body as { type?: string })?.type === 'transfer').length;
    process.stdout.write(`\nTransfers executed: ${transfers}${times > 1 ? ` (from ${times} deliveries)` : ''}\n`);
    for (const report of await Promise.allSettled(reports)) {
      process.stdout.write(`Reported to Switchboard as Vapi would: ${report.status === 'fulfilled' ? report.value : String(report.reason)}\n`);
    }
    const uiBase = await webUiBase(webhookUrl, values.ui);
    process.stdout.write(`Workflow:  ${uiBase}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}\n`);
    if (values['reject-transfer']) {
      process.stdout.write(`The transfer was refused on purpose. Inspect it: npx switchboard transfers show ${workflowId}\n`);
    } else if (commands.length === 0 || transfers !== 1) process.exitCode = 1;
  } finally {
    await control.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`simulate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
