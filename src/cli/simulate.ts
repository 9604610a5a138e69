import { parseArgs } from 'node:util';
import { loadContactCenter, routingPolicyOf } from '../config/contact-center';
import { loadConfig } from '../config/env';
import { settingsPrefix } from '../config/hints';
import { ROUTE_AT_HEADER, transferWorkflowId } from '../contracts';
import type { CallDestination } from '../contracts';
import type { ReceivedControlCommand } from '../dev/fake-control-server';
import { startFakeControlServer } from '../dev/fake-control-server';
import { buildCallStatusUpdate, buildForwardingStatusUpdate, buildToolCallsPayload } from '../dev/vapi-payloads';
import { AFTER_HOURS_LINES, labelDestination } from '../routing/labels';
import { CALLEES, simulateCallback } from './simulate-callback';

const HELP = `npm run simulate -- [options]

Plays Vapi: posts a realistic tool-calls webhook for transfer_call to a running Switchboard, with a
controlUrl that points at a fake control server started here, and prints what that server receives. When
the transfer is accepted it reports it as Vapi does (a status-update "forwarding" webhook), so the
transfer ends "transferred". It says where routing sent the call, and why when every office was closed.

  --department <name>     tool argument "department" (default billing)
  --reason <text>         tool argument "reason" (default "question about my invoice")
  --urgency <level>       low | medium | high | critical (default medium)
  --customer-id <id>      tool argument "customerId" (e.g. c-1001)
  --caller <e164>         caller's number (default +12125550111, a demo CRM customer)
  --times <n>             deliver the same webhook n times at once (default 1) to see deduplication
  --at <ISO time>         ask Switchboard to route as of this time (header ${ROUTE_AT_HEADER}); only npm start's
                          embedded mode honours it, anything else ignores it and says so
  --url <url>             webhook URL (default http://127.0.0.1:$PORT/webhook)
  --token <secret>        send Authorization: Bearer <secret>
  --admin-token <token>   read the transfer's decision from the API (default: ADMIN_TOKEN); without one, where
                          the call went is read from the destination the fake control server received
  --timeout <seconds>     how long to wait for the first control command (default 20)
  --wait                  stay up until Ctrl-C: the simulated call stays live and the fake control server
                          prints every command as it arrives (an operator's retry, a fallback)
  --reject-transfer       the fake control server refuses the first transfer (HTTP 400), to see a failed
                          transfer compensate, tell the caller, and show up in npx switchboard transfers list;
                          later transfers of the call (a retry while --wait keeps it live) are accepted
  --ui <url>              Temporal Web UI base (default: what the running Switchboard reports on /healthz,
                          else TEMPORAL_UI_URL, else http://127.0.0.1:$DEV_UI_PORT)
  --hang-up-after <s>     the caller hangs up after this many seconds: a status-update "ended" with endedReason
                          customer-ended-call (e.g. while waiting in line: the transfer ends abandoned)

Callbacks (Switchboard started with VAPI_BASE_URL=http://127.0.0.1:<vapi-port>, VAPI_API_KEY and
VAPI_PHONE_NUMBER_ID set to anything):
  --callback              the caller waits in line, asks for a call back (request_callback) and hangs up; an
                          agent is marked ready (needs the admin token); the simulator plays Vapi's API: it takes
                          POST /call, answers like Vapi, reports the call ringing and in-progress, and reports the
                          transfer to the agent it receives forwarding. Every command and report is printed
  --busy <n>              with --callback: first put n other callers through, so the caller waits (default 3, the
                          demo's us-east billing places)
  --callback-at <ISO>     with --callback: notBefore of the call back (not before this time)
  --callee <what>         with --callback: answer | no-answer | busy | voicemail (default answer)
  --vapi-port <port>      with --callback: the port of the fake Vapi API (default 3901)
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
async function webUiBase(webhookUrl: string, explicit: string | undefined, config: ReturnType<typeof loadConfig>): Promise<string> {
  if (explicit) return explicit.replace(/\/+$/, '');
  try {
    const health = (await (await fetch(new URL('/healthz', webhookUrl), { signal: AbortSignal.timeout(2_000) })).json()) as { temporalUi?: string };
    if (health.temporalUi) return health.temporalUi;
  } catch {
    // An older or unreachable service: fall back to this terminal's settings.
  }
  return config.temporalUiUrl ?? `http://127.0.0.1:${config.devServer.uiPort}`;
}

const isTransfer = (command: ReceivedControlCommand) => (command.body as { type?: string })?.type === 'transfer';
const write = (text: string) => process.stdout.write(`${text}\n`);

/** Where routing sent the call, as the API's decision says (with an admin token) or as its destination shows. */
interface Routed {
  label: string;
  /** The deciding step, when read from the decision. */
  decidedBy: string | null;
  reasons: string[];
}

/** The transfer's decision through the operator API; null without a token or when it cannot be read. */
async function decisionFromApi(webhookUrl: string, workflowId: string, token: string | undefined): Promise<Routed | null> {
  if (!token) return null;
  try {
    const response = await fetch(new URL(`/transfers/${encodeURIComponent(workflowId)}`, webhookUrl), {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) return null;
    const { decision } = (await response.json()) as { decision?: { label: string; decidedBy: string | null; reasons: string[] } | null };
    return decision ? { label: decision.label, decidedBy: decision.decidedBy, reasons: decision.reasons } : null;
  } catch {
    return null;
  }
}

/** One line about where the call went; rule 7's lines are chosen only when every office is closed. */
function describeRouting(routed: Routed): string {
  const afterHours = routed.decidedBy ? routed.decidedBy === 'office-hours' : AFTER_HOURS_LINES.includes(routed.label);
  if (!afterHours) return `Routed to ${routed.label}${routed.decidedBy ? `, decided by ${routed.decidedBy}` : ''}.`;
  const why = routed.reasons.find((reason) => reason.startsWith('No office is open'));
  const line = routed.label === 'enterprise-24x7 line' ? 'the enterprise 24x7 line' : 'the after-hours line';
  return `All offices closed, routed to ${line} (${routed.label})${why ? `: ${why}` : ''}`;
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
      at: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      'admin-token': { type: 'string' },
      timeout: { type: 'string', default: '20' },
      wait: { type: 'boolean', default: false },
      ui: { type: 'string' },
      'reject-transfer': { type: 'boolean', default: false },
      'hang-up-after': { type: 'string' },
      callback: { type: 'boolean', default: false },
      busy: { type: 'string', default: '3' },
      'callback-at': { type: 'string' },
      callee: { type: 'string', default: 'answer' },
      'vapi-port': { type: 'string', default: '3901' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const config = loadConfig();
  if (values.at !== undefined && Number.isNaN(Date.parse(values.at))) throw new Error(`--at: expected an ISO 8601 time such as 2026-11-25T15:00:00Z, got "${values.at}"`);
  const webhookUrl = values.url ?? `http://127.0.0.1:${config.port}/webhook`;
  const times = Math.max(1, Number.parseInt(values.times, 10) || 1);
  const hangUpAfter = values['hang-up-after'] === undefined ? undefined : Number(values['hang-up-after']);
  if (hangUpAfter !== undefined && !(hangUpAfter >= 0)) throw new Error(`--hang-up-after: expected a number of seconds, got "${values['hang-up-after']}"`);
  const callee = CALLEES[values.callee];
  if (!callee) throw new Error(`--callee: expected one of ${Object.keys(CALLEES).join(', ')}, got "${values.callee}"`);
  if (values['callback-at'] !== undefined && Number.isNaN(Date.parse(values['callback-at']))) throw new Error(`--callback-at: expected an ISO 8601 time, got "${values['callback-at']}"`);
  const cliPrefix = settingsPrefix(config, ['DATA_DIR', 'DEV_SERVER_PORT', 'TEMPORAL_ADDRESS']);

  const control = await startFakeControlServer();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (values.token) headers.authorization = `Bearer ${values.token}`;
  const post = (body: unknown, extra: Record<string, string> = {}) =>
    fetch(webhookUrl, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body) }).catch((error: unknown) => {
      throw new Error(`cannot reach Switchboard's webhook at ${webhookUrl} (${values.url ? '--url' : 'PORT, or --url'}): ${unreachableReason(error)}`);
    });
  if (values.callback) {
    try {
      process.exitCode = await simulateCallback({
        webhookUrl,
        post,
        control,
        write,
        ...(values.at ? { routeAt: values.at } : {}),
        call: { department: values.department, reason: values.reason, urgency: values.urgency, caller: values.caller, ...(values['customer-id'] ? { customerId: values['customer-id'] } : {}) },
        busy: Math.max(0, Number.parseInt(values.busy, 10) || 0),
        ...(values['callback-at'] ? { callbackAt: values['callback-at'] } : {}),
        callee,
        vapiPort: Number(values['vapi-port']),
        ...((values['admin-token'] ?? config.adminToken) ? { adminToken: values['admin-token'] ?? config.adminToken } : {}),
        timeoutMs: Math.max(Number(values.timeout), 30) * 1000,
      });
    } finally {
      await control.close();
    }
    return;
  }
  const answers = new Map<ReceivedControlCommand, number>();
  const reports: Promise<string>[] = [];
  let live = false;
  let refused = false;
  control.respondWith((command) => {
    let status = 200;
    if (isTransfer(command) && values['reject-transfer'] && !refused) {
      refused = true;
      status = 400;
    } else if (isTransfer(command) && toolCallIdOf(command.callId)) {
      // What Vapi does once it acts on the transfer: a status-update "forwarding" to the server URL.
      const report = buildForwardingStatusUpdate({ callId: command.callId, toolCallId: toolCallIdOf(command.callId)!, controlUrl: control.controlUrlFor(command.callId) });
      const reported = new Promise((resolve) => setTimeout(resolve, 200)).then(async () => `status-update forwarding -> HTTP ${(await post(report)).status}`);
      reports.push(reported);
      if (live) void reported.then(write, (error: unknown) => write(`could not report the transfer: ${String(error)}`));
    }
    answers.set(command, status);
    if (live) write(`  POST ${command.path} -> HTTP ${status}\n  ${JSON.stringify(command.body)}`);
    else if ((command.body as { type?: string })?.type === 'add-message') write(`  the assistant is told (add-message): ${(command.body as { message?: { content?: string } }).message?.content ?? ''}`);
    return status === 200 ? { status, body: {} } : { status, body: { message: 'destination refused' } };
  });
  const toolCalls = new Map<string, string>();
  const toolCallIdOf = (callId: string) => toolCalls.get(callId);
  let waiting = false;
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
    write(`Fake control server: ${control.baseUrl}\nPosting tool-calls for call ${callId} to ${webhookUrl} (${times}x)`);

    const responses = await Promise.all(
      Array.from({ length: times }, async () => {
        const response = await post(body, values.at ? { [ROUTE_AT_HEADER]: values.at } : {});
        return { status: response.status, body: await response.text(), routeAt: response.headers.get(ROUTE_AT_HEADER) };
      }),
    );
    responses.forEach((response, index) => write(`  webhook answer #${index + 1}: HTTP ${response.status} ${response.body}`));
    if (values.at) {
      const verdict = responses[0]!.routeAt;
      write(
        verdict === 'honoured'
          ? `Routing as of ${values.at}: honoured by this embedded npm start.`
          : `--at ${values.at} was not honoured: only npm start's embedded mode routes at the simulator's time${verdict ? '' : ' (this Switchboard does not know the header)'}; routing used the current time.`,
      );
    }
    if (responses.every((response) => response.status !== 200)) {
      process.exitCode = 1;
      return;
    }
    let hungUp = false;
    const hangUp =
      hangUpAfter === undefined
        ? undefined
        : new Promise((resolve) => setTimeout(resolve, hangUpAfter * 1000)).then(async () => {
            hungUp = true;
            const report = buildCallStatusUpdate({ call: { id: callId, type: 'inboundPhoneCall' }, status: 'ended', endedReason: 'customer-ended-call' });
            write(`The caller hangs up after ${hangUpAfter} s: status-update ended (customer-ended-call) -> HTTP ${(await post(report)).status}`);
          });

    // A caller who waits in line hears the assistant (add-message) first: the transfer comes when an agent is free.
    const deadline = Date.now() + Math.max(Number(values.timeout), (hangUpAfter ?? 0) + 2) * 1000;
    while (!control.commandsFor(callId).some(isTransfer) && !hungUp && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await hangUp;
    const commands = control.commandsFor(callId);
    // Linger briefly: a duplicate transfer would show up here.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const all = control.commandsFor(callId);
    write(`\nControl commands received for this call: ${all.length}`);
    for (const command of all) write(`  POST ${command.path} -> HTTP ${answers.get(command)}\n  ${JSON.stringify(command.body)}`);
    const transfers = all.filter(isTransfer);
    const accepted = transfers.filter((command) => answers.get(command) === 200);
    const refusedCount = transfers.length - accepted.length;
    write(
      `\nTransfers accepted: ${accepted.length}${times > 1 ? ` (from ${times} deliveries)` : ''}` +
        (refusedCount > 0 ? `; refused by the control server: ${refusedCount} (Switchboard compensates: summary marked not transferred, agent released, caller told)` : ''),
    );
    const first = transfers[0];
    if (first) {
      const destination = (first.body as { destination?: CallDestination }).destination;
      const fromApi = await decisionFromApi(webhookUrl, workflowId, values['admin-token'] ?? config.adminToken);
      const label = destination ? labelDestination(destination, routingPolicyOf(loadContactCenter(config.routingConfigPath))) : null;
      const routed = fromApi ?? (label ? { label, decidedBy: null, reasons: [] } : null);
      if (routed) write(describeRouting(routed));
      const agent = /^agent (\S+)$/.exec(routed?.label ?? '')?.[1];
      if (agent && accepted.length > 0) {
        const api = webhookUrl.replace(/\/webhook$/, '');
        write(
          `Agent ${agent} stays busy until marked ready (or their department's after-call time passes):\n` +
            `  curl -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'content-type: application/json' -d '{"status":"available"}' ${api}/agents/${agent}/status`,
        );
      }
    }
    for (const report of await Promise.allSettled(reports)) {
      write(`Reported to Switchboard as Vapi would: ${report.status === 'fulfilled' ? report.value : String(report.reason)}`);
    }
    const uiBase = await webUiBase(webhookUrl, values.ui, config);
    write(`Workflow:  ${uiBase}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`);
    write(`Inspect it: ${cliPrefix}npx switchboard transfers show ${workflowId}`);
    if (values['reject-transfer']) write('The transfer was refused on purpose.');
    else if (hungUp && transfers.length === 0) write('The caller hung up before anyone was put through.');
    else if (commands.length === 0 || accepted.length !== 1) process.exitCode = 1;

    if (values.wait) {
      waiting = true;
      live = true;
      write(
        `\nWaiting until Ctrl-C: the simulated call stays live and each control command is printed as it arrives.` +
          (accepted.length === 0 ? `\nRetry it now: ${cliPrefix}npx switchboard transfers retry ${workflowId} --force` : ''),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await Promise.allSettled(reports);
      write('Stopped: the simulated call is over.');
    }
  } finally {
    await control.close();
    if (!waiting && control.received.some((command) => isTransfer(command) && answers.get(command) !== 200)) {
      write(
        "\nThe simulated call is over: its fake control server has stopped, so retrying this transfer (npx switchboard transfers retry) will fail to reach the call. To retry a simulated transfer, run the simulator with --wait and retry while it waits.",
      );
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`simulate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
