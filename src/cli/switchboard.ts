import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { HistoryAndWorkflowId } from '@temporalio/common';
import type { DataConverter } from '@temporalio/common';
import { codecUrlToken } from '../api/codec/router';
import { RoutingConfigError, loadContactCenter, rosterOf, routingPolicyOf } from '../config/contact-center';
import { TemporalFloorClient } from '../integrations/floor-client';
import { formatLines } from '../operations/queues';
import { loadConfig } from '../config/env';
import { describeNoteStatus } from '../integrations/crm';
import type { CrmAdapter } from '../integrations/crm';
import { createCrm } from '../integrations/crm/create-crm';
import { createLogger } from '../observability/logger';
import { installTemporalRuntime } from '../observability/temporal-logger';
import { callStatusSource } from '../integrations/call-status';
import { TransferConsole, TransferConsoleError } from '../operations/transfer-console';
import type { TransferDetails, TransferListItem } from '../operations/transfer-console';
import { histories } from '../operations/history-sources';
import type { HistorySource } from '../operations/history-sources';
import { checkDecisions, currentWorkflowBundle, replayTransfers } from '../operations/replay';
import { SKIP, diffRouting, formatRoutingDiff } from '../operations/routing-diff';
import type { RoutingDiffReport } from '../operations/routing-diff';
import type { RoutingPolicy } from '../contracts';
import { TemporalUnreachableError, connectClient, connectionErrorReason, describeTarget, temporalTarget } from '../temporal/connection';
import { isGrpcServiceError } from '@temporalio/client';
import { createDataConverter, payloadCodecFor } from '../temporal/data-converter';
import { toolEncryptionKeys } from '../temporal/payload-encryption';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';

const USAGE = `Usage: npx switchboard <command>

  transfers list   [--outcome failed] [--department billing] [--call-id ID] [--since 24h|ISO] [--status running|closed] [--limit 50] [--json]
  transfers show   <workflowId> [--json]
  transfers retry  <workflowId> [--force]    a new run with the same request (only while the call is live);
      --force when its transfer may already have reached the caller, or Vapi cannot be asked (no VAPI_API_KEY)
  transfers cancel <workflowId>            before the transfer POST its compensations run; after it, nothing is undone
  replay <workflowId...> | --query '<visibility query>' [--limit N] | --file <history.json...>   [--bundle dist/workflow-bundle.js]
      replays histories against this checkout's workflow code; exit 0 only when all replay cleanly
  routing diff [--config <candidate.yaml>] [--since 24h | --query '<visibility query>' | --file <history.json...>] [--limit N] [--json] [--fail-on-change]
      which recorded transfers the candidate routing file (or, without --config, this checkout's routing code)
      would have sent elsewhere, and why; reads histories only. Exit 1 with --fail-on-change when any changed,
      or when histories could not be decrypted; 2 when the candidate file is invalid
  queues [--json]
      every department's line: who waits (transfer ids, in the order they will be served), the oldest wait,
      the service level over the last hour, callbacks due
  codec-url [--base http://localhost:3000]
      the codec endpoint URL for a Temporal Web UI that cannot send headers (token derived from ADMIN_TOKEN)

Connects like Temporal's own tools: TEMPORAL_ADDRESS (default: the local dev server), TEMPORAL_NAMESPACE,
TEMPORAL_API_KEY, TEMPORAL_TLS_*; PAYLOAD_ENCRYPTION_KEYS to read encrypted payloads (unset, on the local dev
server: the key npm start keeps in DATA_DIR; transfers list needs none). \`transfers show\` reads the agent's note
from CRM_URL's CRM (unset: the demo CRM of the \`npm start\` running on DATA_DIR, so run it with the DATA_DIR npm
start uses).`;

/** Exit 2: the command or its input is wrong (usage shown unless it would not help, as for an invalid file). */
class UsageError extends Error {
  constructor(
    message: string,
    readonly options: { showUsage: boolean } = { showUsage: true },
  ) {
    super(message);
  }
}

/** gRPC's UNAVAILABLE and DEADLINE_EXCEEDED: the server stopped answering. */
const LOST_SERVER_CODES: ReadonlySet<number> = new Set([14, 4]);

const print = (text: string) => process.stdout.write(`${text}\n`);

function table(rows: TransferListItem[]): string {
  if (rows.length === 0) return '(no transfers match)';
  const columns: [string, (row: TransferListItem) => string][] = [
    ['WORKFLOW ID', (row) => row.workflowId],
    ['STATUS', (row) => row.status],
    ['OUTCOME', (row) => row.outcome ?? '-'],
    ['DEPARTMENT', (row) => row.department ?? '-'],
    ['TIER', (row) => row.tier ?? '-'],
    ['STARTED', (row) => row.startedAt],
  ];
  const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, get]) => get(row)))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index]!.length)));
  return cells.map((line) => line.map((cell, index) => cell.padEnd(widths[index]!)).join('  ').trimEnd()).join('\n');
}

/** Where `transfers show` reads notes, for its output: the CRM's kind and, for the demo CRM, the DATA_DIR it read. */
function noteSource(config: ReturnType<typeof loadConfig>): string {
  return config.crm.kind === 'demo' ? `the demo CRM of the npm start on DATA_DIR ${config.dataDir}` : `the ${config.crm.kind} CRM of CRM_URL`;
}

function story(details: TransferDetails, source: string): string {
  const lines = [
    `${details.workflowId}  (run ${details.runId}, ${details.status.toLowerCase()}, outcome ${details.outcome ?? 'pending'})`,
    details.summary ? `  ${details.summary}` : undefined,
    details.details ? `  now: ${details.details}` : undefined,
    details.request
      ? `  request: department ${String(details.request.department ?? '-')}, urgency ${String(details.request.urgency)}, received ${String(details.request.receivedAt)}`
      : undefined,
    details.decision ? `  decision: ${details.decision.label} (${details.decision.mode ?? '-'}), by ${details.decision.decidedBy ?? '-'}` : undefined,
    ...(details.decision?.reasons ?? []).map((reason) => `    - ${reason}`),
    '  steps (local: run inside a workflow task, timed from its start):',
    ...details.steps.map((step) => {
      const timing = step.durationMs === null ? '' : `${step.kind === 'local' ? 'local ' : ''}${step.durationMs} ms`;
      return `    ${step.status.padEnd(9)} ${step.activity.padEnd(26)} ${timing.padEnd(13)}${step.attempts > 1 ? ` (${step.attempts} attempts)` : ''} ${step.summary ?? ''}${step.error ? `\n              ${step.error}` : ''}`;
    }),
    ...(details.callEvents.length > 0 ? ['  vapi reported:', ...details.callEvents.map((event) => `    ${event.at} ${event.name}${event.kind ? ` (${event.kind})` : ''}`)] : []),
    details.failure ? `  failure: ${details.failure}` : undefined,
    details.runs.length > 1 ? `  runs: ${details.runs.map((run) => `${run.runId} ${run.status.toLowerCase()}`).join(', ')}` : undefined,
    ...noteLines(details.note, source),
  ];
  return lines.filter((line): line is string => line !== undefined).join('\n');
}

/** The note as the agent received it, indented under its status. */
function noteLines(note: TransferDetails['note'], source: string): string[] {
  if (note === null) return [`  note: none in ${source}`];
  if ('error' in note) return [`  note: ${source} could not be asked: ${note.error}`];
  return [`  note ${note.noteId}: ${describeNoteStatus(note.status, note.statusReason)}`, ...note.text.split('\n').map((line) => `    ${line}`)];
}

/** The transfer console as the API builds it, on this command's client; `crm` for reading notes. */
function transferConsole(client: Client, config: ReturnType<typeof loadConfig>, crm?: CrmAdapter): TransferConsole {
  return new TransferConsole({
    workflowClient: client.workflow,
    taskQueue: config.temporal.taskQueue,
    callStatus: callStatusSource(config),
    routingPolicy: ownRoutingPolicy(config),
    ...(crm ? { crm } : {}),
  });
}

/** The routing file this command reads (ROUTING_CONFIG): the agents of transfers that recorded only their rules. */
function ownRoutingPolicy(config: ReturnType<typeof loadConfig>): RoutingPolicy {
  return routingPolicyOf(loadContactCenter(config.routingConfigPath));
}

async function transfers(client: Client, config: ReturnType<typeof loadConfig>, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      outcome: { type: 'string' },
      department: { type: 'string' },
      'call-id': { type: 'string' },
      since: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      force: { type: 'boolean' },
    },
  });
  const console = transferConsole(client, config);
  const id = () => {
    const workflowId = positionals[0];
    if (!workflowId) throw new UsageError(`transfers ${action} needs a workflow id`);
    return workflowId;
  };
  switch (action) {
    case 'list': {
      if (values.status !== undefined && values.status !== 'running' && values.status !== 'closed') throw new UsageError('--status is running or closed');
      const listed = await console.list({
        ...(values.outcome ? { outcome: values.outcome } : {}),
        ...(values.department ? { department: values.department } : {}),
        ...(values['call-id'] ? { callId: values['call-id'] } : {}),
        ...(values.since ? { since: values.since } : {}),
        ...(values.status ? { status: values.status } : {}),
        ...(values.limit ? { limit: Number(values.limit) } : {}),
      });
      print(values.json ? JSON.stringify(listed, null, 2) : `${table(listed.transfers)}\n\nquery: ${listed.query}`);
      return 0;
    }
    case 'show': {
      const workflowId = id();
      const crm = await createCrm(config, { contactCenter: loadContactCenter(config.routingConfigPath), demoNotes: 'attach' });
      try {
        const details = await transferConsole(client, config, crm).show(workflowId);
        print(values.json ? JSON.stringify(details, null, 2) : story(details, noteSource(config)));
      } finally {
        await crm.close();
      }
      return 0;
    }
    case 'retry': {
      const retried = await console.retry(id(), values.force ? { force: true } : {});
      print(`retried ${retried.workflowId} as a new run ${retried.runId} (previous run ${retried.previousRunId}; call state ${retried.callState ?? 'unknown, forced'})`);
      return 0;
    }
    case 'cancel': {
      const cancelled = await console.cancel(id());
      print(`cancellation requested for ${cancelled.workflowId} (run ${cancelled.runId}): ${cancelled.effect}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown transfers command: ${action ?? '(none)'}`);
  }
}

async function queues(client: Client, config: ReturnType<typeof loadConfig>, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const floor = new TemporalFloorClient(client.workflow, config.temporal.taskQueue, () => rosterOf(loadContactCenter(config.routingConfigPath)));
  const lines = await floor.lines();
  print(values.json ? JSON.stringify({ lines }, null, 2) : formatLines(lines));
  return 0;
}

async function replay(client: Client | undefined, config: ReturnType<typeof loadConfig>, dataConverter: DataConverter, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { query: { type: 'string' }, file: { type: 'string', multiple: true }, limit: { type: 'string' }, bundle: { type: 'string' } },
  });
  const source: HistorySource = values.file?.length
    ? { kind: 'file', files: [...values.file, ...positionals] }
    : values.query
      ? { kind: 'query', query: values.query, ...(values.limit ? { limit: Number(values.limit) } : {}) }
      : { kind: 'workflow', workflowIds: positionals };
  if (source.kind === 'workflow' && source.workflowIds.length === 0) throw new UsageError('replay needs workflow ids, --query or --file');
  // The code first (bundling takes seconds and needs no server), then the histories.
  const workflowBundle = await currentWorkflowBundle(values.bundle ?? config.workflowBundlePath);
  const collected: HistoryAndWorkflowId[] = [];
  for await (const entry of histories(source, client?.workflow)) collected.push(entry);
  const verdicts = await replayTransfers(collected, { dataConverter, workflowBundle });
  // Commands replaying is half the check: the other half is that this code would decide the same.
  const decisions = await checkDecisions(collected, { converter: loadDataConverter(dataConverter), roster: ownRoutingPolicy(config).agents });
  verdicts.forEach((verdict, index) => {
    const decision = decisions[index];
    const differs = decision?.decision === 'differs';
    print(`${verdict.ok && !differs ? 'ok  ' : 'FAIL'} ${verdict.workflowId} ${verdict.runId}`);
    if (!verdict.ok) print(`     ${verdict.problem}: ${verdict.message}`);
    if (differs) print(`     decision differs: ${decision.detail}`);
  });
  const failed = verdicts.filter((verdict, index) => !verdict.ok || decisions[index]?.decision === 'differs').length;
  print(`${verdicts.length} replayed, ${failed} failed (${decisions.filter((decision) => decision.decision === 'differs').length} with another decision now)`);
  if (verdicts.length === 0) {
    print('nothing to replay: no history matched');
    return 1;
  }
  return failed === 0 ? 0 : 1;
}

/** The candidate routing file, validated as `routing:check` does; an invalid one ends the command with exit 2. */
function candidatePolicy(file: string | undefined): RoutingPolicy | undefined {
  if (!file) return undefined;
  try {
    return routingPolicyOf(loadContactCenter(file));
  } catch (error) {
    if (error instanceof RoutingConfigError) throw new UsageError(error.message, { showUsage: false });
    throw error;
  }
}

async function routing(client: Client | undefined, config: ReturnType<typeof loadConfig>, dataConverter: DataConverter, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'diff') throw new UsageError(`unknown routing command: ${action ?? '(none)'}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      since: { type: 'string' },
      query: { type: 'string' },
      file: { type: 'string', multiple: true },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      'fail-on-change': { type: 'boolean' },
    },
  });
  if ([values.since, values.query, values.file?.length].filter(Boolean).length > 1) throw new UsageError('give one of --since, --query, --file');
  const candidate = candidatePolicy(values.config);
  const limit = values.limit ? Number(values.limit) : undefined;
  let report: RoutingDiffReport;
  if (values.file?.length) {
    report = await diffRouting(histories({ kind: 'file', files: [...values.file, ...positionals] }), {
      converter: loadDataConverter(dataConverter),
      ...(candidate ? { candidate } : {}),
      roster: ownRoutingPolicy(config).agents,
    });
  } else {
    report = await transferConsole(client!, config).diffRouting({
      ...(candidate ? { candidate } : {}),
      ...(values.query ? { query: values.query } : { since: values.since ?? '24h' }),
      ...(limit !== undefined ? { limit } : {}),
    });
  }
  if (values.json) {
    print(JSON.stringify(report, null, 2));
  } else {
    print(formatRoutingDiff(report, values.config ?? null));
  }
  if (report.unreadable > 0) {
    process.stderr.write(`switchboard: ${report.unreadable} of the transfers could not be read: ${SKIP.unreadable}\n`);
    return 1;
  }
  return values['fail-on-change'] && report.changed > 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    print(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  if (command === 'codec-url') {
    const { values } = parseArgs({ args: rest, options: { base: { type: 'string' } } });
    if (!config.adminToken) throw new UsageError('codec-url needs ADMIN_TOKEN');
    print(`${(values.base ?? `http://127.0.0.1:${config.port}`).replace(/\/$/, '')}/codec/${codecUrlToken(config.adminToken)}`);
    return 0;
  }
  // The command reports every failure itself, in one line; the SDK's and the Rust core's own logs (backtraces
  // included) only when LOG_LEVEL asks for them.
  installTemporalRuntime(createLogger({ level: process.env.LOG_LEVEL ? config.logLevel : 'silent', name: 'switchboard-cli' }));
  // With nothing set, next to `npm start`: its key file, so its transfers read decrypted.
  const dataConverter = createDataConverter(payloadCodecFor(toolEncryptionKeys(config)));
  const needsCluster = !((command === 'replay' || command === 'routing') && rest.includes('--file'));
  const target = temporalTarget(config);
  // An operator at a terminal: a few seconds, then an error naming the address tried and how to change it.
  const client = needsCluster ? await connectClient(target, dataConverter, { connectTimeoutMs: 5_000, maxAttempts: 5 }) : undefined;
  try {
    if (command === 'transfers') return await transfers(client!, config, rest);
    if (command === 'replay') return await replay(client, config, dataConverter, rest);
    if (command === 'queues') return await queues(client!, config, rest);
    if (command === 'routing') return await routing(client, config, dataConverter, rest);
    throw new UsageError(`unknown command: ${command}`);
  } catch (error) {
    // The server went away after the connection was made: the same one line as a failed connect.
    if (client && isGrpcServiceError(error) && LOST_SERVER_CODES.has(error.code)) {
      throw new TemporalUnreachableError(`cannot reach ${describeTarget(target)}: ${connectionErrorReason(error)}`);
    }
    throw error;
  } finally {
    await client?.connection.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(error.options.showUsage ? `${error.message}\n\n${USAGE}\n` : `${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof Error && /binary\/encrypted/.test(error.message)) {
      process.stderr.write('switchboard: these histories are encrypted; set PAYLOAD_ENCRYPTION_KEYS to the keys the service uses\n');
      process.exit(1);
    }
    const message = error instanceof TransferConsoleError ? `refused (${error.code}): ${error.message}` : error instanceof Error ? error.message : String(error);
    process.stderr.write(`switchboard: ${message}\n`);
    process.exit(1);
  },
);
