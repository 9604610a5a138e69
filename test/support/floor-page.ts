import http from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppDeps } from '../../src/api/app';
import { FloorFeed } from '../../src/api/floor/feed';
import type { FloorFeedOptions } from '../../src/api/floor/feed';
import { rosterOf } from '../../src/config/contact-center';
import type { ContactCenter } from '../../src/config/contact-center';
import type { LineView } from '../../src/contracts';
import type { FloorClient } from '../../src/integrations/floor-client';
import { createLogger } from '../../src/observability/logger';
import type { TransferConsole, TransferListFilters, TransferListItem } from '../../src/operations/transfer-console';
import { TransferConsoleError } from '../../src/operations/transfer-console';
import { activitiesWith, alwaysOpenContactCenter } from './factories';
import { InMemoryFloor } from './in-memory-floor';
import { appWith } from './test-app';

export const ADMIN_TOKEN = 'floor-admin-token-for-tests';

/**
 * Visibility without Temporal: transfers held in a list, filtered the way the transfer console's query
 * filters them (status, closedAfter), for tests of the page that need no workflow to run.
 */
export class ListedTransfers implements Pick<TransferConsole, 'list' | 'retry' | 'cancel'> {
  readonly items: TransferListItem[] = [];
  /** Retries and cancels asked for, in order. */
  readonly actions: { action: 'retry' | 'cancel'; workflowId: string; force?: boolean }[] = [];
  /** Every filter the feed asked with, to prove it reads only what is new. */
  readonly asked: TransferListFilters[] = [];
  failing: Error | null = null;

  async list(filters: TransferListFilters = {}) {
    this.asked.push(filters);
    if (this.failing) throw this.failing;
    const after = filters.closedAfter ? Date.parse(filters.closedAfter) : null;
    const transfers = this.items.filter((item) => {
      if (filters.status === 'running') return item.closedAt === null;
      if (filters.status === 'closed' && item.closedAt === null) return false;
      if (after !== null) return item.closedAt !== null && Date.parse(item.closedAt) > after;
      return true;
    });
    return { query: 'listed in memory', transfers };
  }

  /** Like the console without VAPI_API_KEY: refused unless forced, then a new run. */
  async retry(workflowId: string, options: { force?: boolean } = {}) {
    this.actions.push({ action: 'retry', workflowId, ...(options.force ? { force: true } : {}) });
    if (!options.force) throw new TransferConsoleError('call_state_unknown', 'cannot ask Vapi whether the caller is still on the line (set VAPI_API_KEY); retry with force if you know the call is live');
    return { workflowId, runId: 'run-retried', strategy: 'new-run' as const, previousRunId: 'run-before', callState: null };
  }

  async cancel(workflowId: string): Promise<never> {
    this.actions.push({ action: 'cancel', workflowId });
    throw new TransferConsoleError('not_running', 'the transfer is not running (completed)');
  }
}

export function listedTransfer(overrides: Partial<TransferListItem> = {}): TransferListItem {
  const id = Math.random().toString(36).slice(2, 10);
  return {
    workflowId: `transfer:call-${id}:tool-${id}`,
    runId: `run-${id}`,
    status: 'COMPLETED',
    startedAt: new Date(Date.now() - 5_000).toISOString(),
    closedAt: new Date().toISOString(),
    callId: `call-${id}`,
    department: 'billing',
    tier: 'standard',
    outcome: 'transferred',
    agent: 'a-chloe',
    stage: 'done',
    latencyMs: 420,
    ...overrides,
  };
}

export interface FloorAppOptions {
  contactCenter?: ContactCenter;
  floor?: FloorClient;
  transfers?: Pick<TransferConsole, 'list'> & Partial<TransferConsole>;
  feed?: Partial<FloorFeedOptions>;
  app?: Partial<AppDeps>;
  adminToken?: string | undefined;
}

/** The API with the floor page, over an in-memory floor and listed transfers (or what the test gives). */
export function floorApp(options: FloorAppOptions = {}) {
  const contactCenter = options.contactCenter ?? alwaysOpenContactCenter();
  const floor = options.floor ?? new InMemoryFloor(rosterOf(contactCenter));
  const transfers = options.transfers ?? new ListedTransfers();
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logLines.push(line) } });
  const feed = new FloorFeed({
    floor,
    transfers,
    readiness: async () => ({ ready: true, temporal: 'reachable', workflowPollers: 2, crm: { kind: 'demo', status: 'reachable' } }),
    agents: contactCenter.agents,
    encryption: 'on',
    temporalUi: 'http://127.0.0.1:8233',
    namespace: 'default',
    logger,
    intervals: { agentsMs: 100, linesMs: 200, transfersMs: 200, statusMs: 500 },
    ...options.feed,
  });
  const adminToken = 'adminToken' in options ? options.adminToken : ADMIN_TOKEN;
  const { app } = appWith({
    logger,
    operator: {
      adminToken,
      floor,
      contactCenter,
      crm: activitiesWith().deps.crm,
      tone: activitiesWith().deps.tone,
      transferToolNames: ['transfer_call'],
    },
    transfers: transfers as TransferConsole,
    floor: { feed, wrongTokenDelayMs: 50 },
    ...options.app,
  });
  return { app, feed, floor, transfers, logLines, contactCenter };
}

/** Listens on a loopback port (a free one unless given); `close()` ends the floor's streams first, as the API server does. */
export async function listen(app: ReturnType<typeof floorApp>['app'], feed?: FloorFeed, onPort = 0): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(onPort, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: async () => {
      const reads = feed?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await reads;
    },
  };
}

/** The session cookie a sign-in sets (name=value only, as a browser sends it back). */
export function sessionFrom(setCookie: string | string[] | undefined): string {
  const header = [setCookie ?? []].flat().find((cookie) => cookie.startsWith('switchboard_floor='));
  if (!header) throw new Error('no session cookie was set');
  return header.split(';')[0]!;
}

export interface StreamEvent {
  id: string | undefined;
  event: string;
  /** How many `data:` lines the frame had (one, for JSON on one line). */
  dataLines: number;
  data: any;
}

/** A page's Server-Sent Events stream read as raw HTTP, frame by frame (or not read at all: `pause()`). */
export class EventStreamReader {
  readonly events: StreamEvent[] = [];
  readonly comments: string[] = [];
  retry: number | null = null;
  bytes = 0;
  private buffer = '';
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly response: import('node:http').IncomingMessage,
    private readonly request: import('node:http').ClientRequest,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      this.bytes += Buffer.byteLength(chunk);
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\n\n')) >= 0) {
        this.frame(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 2);
      }
      this.waiters.forEach((wake) => wake());
    });
  }

  static open(url: string, headers: Record<string, string>): Promise<EventStreamReader> {
    return new Promise((resolve, reject) => {
      const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => resolve(new EventStreamReader(response, request)));
      request.on('error', reject);
    });
  }

  private frame(block: string): void {
    const fields = { id: undefined as string | undefined, event: 'message', data: [] as string[] };
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line);
      else if (line.startsWith('retry: ')) this.retry = Number(line.slice(7));
      else if (line.startsWith('id: ')) fields.id = line.slice(4);
      else if (line.startsWith('event: ')) fields.event = line.slice(7);
      else if (line.startsWith('data: ')) fields.data.push(line.slice(6));
    }
    if (fields.data.length > 0) this.events.push({ id: fields.id, event: fields.event, dataLines: fields.data.length, data: JSON.parse(fields.data.join('\n')) });
  }

  /** The first event (from `from` on) that `accept` takes, within `timeoutMs`. */
  async next(accept: (event: StreamEvent) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<StreamEvent> {
    const deadline = Date.now() + (options.timeoutMs ?? 5_000);
    for (;;) {
      const found = this.events.slice(options.from ?? 0).find(accept);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such event within ${options.timeoutMs ?? 5_000} ms; got ${this.events.map((event) => event.event).join(', ')}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 50);
        this.waiters.add(wake);
      });
    }
  }

  pause(): void {
    this.response.pause();
  }

  resume(): void {
    this.response.resume();
  }

  close(): void {
    this.request.destroy();
  }
}

/** The demo contact center grown to `size` agents (ids a-0000…), over its own departments. */
export function contactCenterOf(size: number): ContactCenter {
  const demo = alwaysOpenContactCenter();
  const agents = Array.from({ length: size }, (_, index) => ({ ...demo.agents[index % demo.agents.length]!, id: `a-${String(index).padStart(4, '0')}`, name: `Agent ${index}` }));
  return { ...demo, agents, version: `${demo.version}-${size}` };
}

/** Counts what a floor client is asked: the feed must read the floor as a whole, never agent by agent. */
export class CountingFloor implements FloorClient {
  readonly calls: Record<string, number> = {};
  down: Error | null = null;
  /** What `lines()` answers instead of the model's (the test's contact center has no lines). */
  linesAnswer: LineView[] | null = null;

  /** Replaceable: a test may start the floor anew under the feed. */
  constructor(public inner: InMemoryFloor) {}

  private count<T>(name: string, call: () => Promise<T>): Promise<T> {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
    if (this.down) return Promise.reject(this.down);
    return call();
  }

  reserve(...args: Parameters<FloorClient['reserve']>) {
    return this.count('reserve', () => this.inner.reserve(...args));
  }
  command(...args: Parameters<FloorClient['command']>) {
    return this.count('command', () => this.inner.command(...args));
  }
  dryRun(...args: Parameters<FloorClient['dryRun']>) {
    return this.count('dryRun', () => this.inner.dryRun(...args));
  }
  setStatus(...args: Parameters<FloorClient['setStatus']>) {
    return this.count('setStatus', () => this.inner.setStatus(...args));
  }
  syncRoster(...args: Parameters<FloorClient['syncRoster']>) {
    return this.count('syncRoster', () => this.inner.syncRoster(...args));
  }
  notify(...args: Parameters<FloorClient['notify']>) {
    return this.count('notify', () => this.inner.notify(...args));
  }
  page(...args: Parameters<FloorClient['page']>) {
    return this.count('page', () => this.inner.page(...args));
  }
  changes(...args: Parameters<FloorClient['changes']>) {
    return this.count('changes', () => this.inner.changes(...args));
  }
  lines() {
    return this.count('lines', async () => this.linesAnswer ?? this.inner.lines());
  }
  liveStates(...args: Parameters<FloorClient['liveStates']>) {
    return this.count('liveStates', () => this.inner.liveStates(...args));
  }
}

/** A department's line as the floor will report it: a few callers waiting, one of them for a callback. */
export function lineOf(department: string, overrides: Partial<LineView> = {}): LineView {
  return {
    department,
    waiting: 3,
    oldestWaitSeconds: 95,
    serviceLevel: { targetSeconds: 60, answered: 40, withinTarget: 34 },
    callbacksDue: 1,
    maxWaitSeconds: 600,
    maxWaiting: 20,
    entries: [
      { transferId: 'transfer:c-1:t-1', position: 1, priority: 2, waitedSeconds: 95, callback: false },
      { transferId: 'transfer:c-2:t-2', position: 2, priority: 1, waitedSeconds: 40, callback: true },
      { transferId: 'transfer:c-3:t-3', position: 3, priority: 1, waitedSeconds: 12, callback: false },
    ],
    ...overrides,
  };
}
