import type { ServerResponse } from 'node:http';
import type { AgentStateName, AgentView, DepartmentSummary, LineView } from '../../contracts';
import type { FloorClient } from '../../integrations/floor-client';
import type { Logger } from '../../observability/logger';
import type { TransferConsole } from '../../operations/transfer-console';
import type { Readiness } from '../../temporal/readiness';
import type { TransfersView } from './transfer-window';
import { TransferWindow } from './transfer-window';

/** How often the feed reads each source while at least one page watches; nothing is read while none does. */
export const FEED_INTERVALS = { agentsMs: 500, linesMs: 1_000, transfersMs: 1_000, statusMs: 5_000, keepAliveMs: 15_000 };

/**
 * What one page's stream may hold unsent before it stops getting changes: a page that reads slower than the
 * floor changes (a laptop asleep, a bad link) is skipped, and once it has caught up it gets one fresh picture
 * instead of every change it missed. Memory per page is bounded by this plus one picture.
 */
export const MAX_BUFFERED_BYTES = 1_000_000;
/** Open pages per API process; past it a page is told to come back later (503). */
export const MAX_STREAMS = 2_000;
/** Visibility reads at most this many closed transfers at a time (the window reads what is new since its last look). */
const CLOSED_PER_LOOK = 5_000;
const RUNNING_PER_LOOK = 500;

/** One agent as the page shows them: the floor's view, named from the routing file. Times are epoch ms. */
export interface AgentRow {
  id: string;
  name: string | null;
  state: AgentStateName;
  since: number;
  office: string;
  departments: string[];
  load: number;
  max: number;
}

/** The parts Switchboard depends on, as last checked, and how fresh the picture is. */
export interface FloorStatus {
  temporal: 'reachable' | 'unreachable' | 'unknown';
  workflowPollers: number | null;
  /** Why the readiness check says not ready (absent when ready). */
  reason: string | null;
  crm: Readiness['crm'] | null;
  encryption: 'on' | 'off';
  /** The floor has been read at least once. */
  loaded: boolean;
  /** The last read of the floor or of visibility failed: the page keeps the picture of `asOf` and says so. */
  stale: boolean;
  /** Epoch ms of the picture shown (the oldest of the last good reads). */
  asOf: number | null;
  problem: string | null;
}

/** Everything the page shows: sent whole when a page connects (or catches up), then as changes. */
export interface FloorPicture {
  revision: number;
  rosterVersion: string | null;
  agents: AgentRow[];
  departments: DepartmentSummary[];
  lines: LineView[];
  transfers: TransfersView;
  status: FloorStatus;
  links: { temporalUi: string | null; namespace: string };
  /** The server's clock (epoch ms), so the page counts "since" from the server's time. */
  now: number;
}

export interface FloorFeedOptions {
  floor: Pick<FloorClient, 'changes' | 'lines'>;
  transfers: Pick<TransferConsole, 'list'>;
  readiness: () => Promise<Readiness>;
  /** The routing file's agents, for their names. */
  agents: readonly { id: string; name: string }[];
  encryption: 'on' | 'off';
  /** The Temporal Web UI each transfer links to (TEMPORAL_UI_URL, or npm start's own UI). */
  temporalUi?: string;
  namespace: string;
  logger: Logger;
  now?: () => number;
  intervals?: Partial<typeof FEED_INTERVALS>;
  maxBufferedBytes?: number;
  maxStreams?: number;
}

interface Stream {
  res: ServerResponse;
  /** Skipped since its buffer filled; gets a whole picture once it has drained. */
  behind: boolean;
}

type Source = 'floor' | 'lines' | 'transfers';

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}

/**
 * The floor as every open page sees it, read once per process however many pages are open: the floor
 * workflow's changes since the last revision (one query, whatever the number of agents), its lines,
 * visibility's transfers (only what closed since the last look), and the readiness check. Each change is
 * serialised once and written to every page's Server-Sent Events stream; a page that cannot keep up is
 * skipped and catches up with one fresh picture, so no page can hold memory or time of the webhook's.
 */
export class FloorFeed {
  private readonly now: () => number;
  private readonly intervals: typeof FEED_INTERVALS;
  private readonly maxBuffered: number;
  private readonly maxStreams: number;
  private readonly names: Map<string, string>;
  private readonly streams = new Set<Stream>();
  private readonly window = new TransferWindow();
  private readonly wakers = new Set<() => void>();

  private revision = 0;
  private rosterVersion: string | null = null;
  private agents = new Map<string, AgentRow>();
  private departments: DepartmentSummary[] = [];
  private lines: LineView[] = [];
  private transfers: TransfersView;
  private status: FloorStatus;
  private readonly problems = new Map<Source, string>();
  private readonly lastGood = new Map<Source, number>();

  private running = false;
  private generation = 0;
  /** The reading loops of the current run, finished once stopped. */
  private loops: Promise<void>[] = [];
  private seq = 0;
  private snapshotFrame: { frame: string; at: number } | null = null;
  /** What pages were last sent of each part (serialised), so a read that changed nothing sends nothing. */
  private lastSent = { departments: '', lines: '[]', transfers: '', status: '' };

  constructor(private readonly options: FloorFeedOptions) {
    this.now = options.now ?? Date.now;
    this.intervals = { ...FEED_INTERVALS, ...options.intervals };
    this.maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.maxStreams = options.maxStreams ?? MAX_STREAMS;
    this.names = new Map(options.agents.map((agent) => [agent.id, agent.name]));
    this.transfers = this.window.view(this.now());
    this.status = {
      temporal: 'unknown',
      workflowPollers: null,
      reason: null,
      crm: null,
      encryption: options.encryption,
      loaded: false,
      stale: false,
      asOf: null,
      problem: null,
    };
  }

  /** The whole picture now; read first when no page keeps the feed running (a JSON client, a test). */
  async picture(): Promise<FloorPicture> {
    if (!this.running) await Promise.all([this.readAgents(), this.readLines(), this.readTransfers(), this.readStatus()]);
    return this.currentPicture();
  }

  /** Streams the floor to one page until it goes away. */
  subscribe(res: ServerResponse): void {
    if (this.streams.size >= this.maxStreams) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '30' });
      res.end(JSON.stringify({ error: 'too_many_streams', message: 'too many floor pages are open on this API process; try again later' }));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-store, no-transform',
      connection: 'keep-alive',
      // Proxies that buffer responses (nginx) would hold the stream back.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const stream: Stream = { res, behind: false };
    this.streams.add(stream);
    res.on('drain', () => this.catchUp(stream));
    res.on('close', () => {
      this.streams.delete(stream);
      if (this.streams.size === 0) this.stop();
    });
    res.write(`retry: 3000\n\n${this.snapshot()}`);
    this.start();
  }

  /** Open streams, how many are being skipped, and the most any holds unsent (bytes). */
  stats(): { streams: number; behind: number; maxBufferedBytes: number } {
    let behind = 0;
    let maxBufferedBytes = 0;
    for (const stream of this.streams) {
      if (stream.behind) behind += 1;
      maxBufferedBytes = Math.max(maxBufferedBytes, stream.res.writableLength);
    }
    return { streams: this.streams.size, behind, maxBufferedBytes };
  }

  /**
   * Ends every stream and stops reading: the server can then close. Resolves once the reads in flight have
   * finished (2 s at most), so the Temporal connection is not closed under them.
   */
  async close(): Promise<void> {
    for (const stream of this.streams) stream.res.end();
    this.streams.clear();
    this.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(this.loops), new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
    clearTimeout(timer);
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    const generation = ++this.generation;
    const loop = async (read: () => Promise<void>, intervalMs: number) => {
      while (this.running && generation === this.generation) {
        await read();
        await this.sleep(intervalMs);
      }
    };
    this.loops = [
      loop(() => this.readAgents(), this.intervals.agentsMs),
      loop(() => this.readLines(), this.intervals.linesMs),
      loop(() => this.readTransfers(), this.intervals.transfersMs),
      loop(() => this.readStatus(), this.intervals.statusMs),
      loop(async () => this.broadcastRaw(': keep-alive\n\n'), this.intervals.keepAliveMs),
    ];
  }

  private stop(): void {
    this.running = false;
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.wakers.add(wake);
    });
  }

  /**
   * A skipped page whose buffer has emptied gets the whole picture again. Checked when its socket drains and at
   * every read of the floor: a buffer that filled without a write being refused empties without a drain event.
   */
  private catchUp(stream: Stream): void {
    if (!stream.behind || stream.res.writableLength > 0) return;
    stream.behind = false;
    stream.res.write(this.snapshot());
  }

  private async readAgents(): Promise<void> {
    for (const stream of this.streams) this.catchUp(stream);
    let changes;
    try {
      changes = await this.options.floor.changes(this.revision);
    } catch (error) {
      this.failed('floor', `the floor could not be read (is Temporal reachable?): ${describe(error)}`);
      return;
    }
    this.succeeded('floor');
    if (!changes.full && (changes.revision < this.revision || changes.rosterVersion !== this.rosterVersion)) {
      // Not the floor this picture was read from (started again, or another roster without a full answer):
      // read it whole next time rather than apply changes to the wrong picture.
      this.revision = 0;
      return;
    }
    const rows = changes.agents.map((agent) => this.rowOf(agent));
    const departments = JSON.stringify(changes.departments);
    const full = changes.full;
    if (full) this.agents = new Map();
    for (const row of rows) this.agents.set(row.id, row);
    this.revision = changes.revision;
    this.rosterVersion = changes.rosterVersion;
    this.departments = changes.departments;
    const firstRead = !this.status.loaded;
    this.status = { ...this.status, loaded: true };
    if (full || firstRead) {
      this.lastSent.departments = departments;
      this.changed();
      this.broadcastRaw(this.snapshot());
      return;
    }
    if (rows.length === 0 && departments === this.lastSent.departments) return;
    this.lastSent.departments = departments;
    this.changed();
    this.broadcast('agents', { revision: this.revision, agents: rows, departments: this.departments, now: this.now() });
  }

  private async readLines(): Promise<void> {
    let lines;
    try {
      lines = await this.options.floor.lines();
    } catch (error) {
      this.failed('lines', `the floor's lines could not be read (is Temporal reachable?): ${describe(error)}`);
      return;
    }
    this.succeeded('lines');
    this.lines = lines;
    const serialised = JSON.stringify(lines);
    if (serialised === this.lastSent.lines) return;
    this.lastSent.lines = serialised;
    this.changed();
    this.broadcast('lines', lines);
  }

  private async readTransfers(): Promise<void> {
    const lookedAt = this.now();
    let running;
    let closed;
    try {
      [running, closed] = await Promise.all([
        this.options.transfers.list({ status: 'running', limit: RUNNING_PER_LOOK }),
        this.options.transfers.list({ closedAfter: this.window.closedAfter(lookedAt).toISOString(), limit: CLOSED_PER_LOOK }, { cap: CLOSED_PER_LOOK }),
      ]);
    } catch (error) {
      this.failed('transfers', `the transfers could not be read (is Temporal reachable?): ${describe(error)}`);
      return;
    }
    this.succeeded('transfers');
    this.window.update(running.transfers, closed.transfers, lookedAt);
    this.transfers = this.window.view(this.now());
    const serialised = JSON.stringify(this.transfers);
    if (serialised === this.lastSent.transfers) return;
    this.lastSent.transfers = serialised;
    this.changed();
    this.broadcast('transfers', this.transfers);
  }

  private async readStatus(): Promise<void> {
    const readiness = await this.options.readiness().catch(
      (error: unknown): Readiness => ({ ready: false, temporal: 'unreachable', workflowPollers: 0, reason: describe(error) }),
    );
    this.status = {
      ...this.status,
      temporal: readiness.temporal,
      workflowPollers: readiness.workflowPollers,
      reason: readiness.reason ?? null,
      crm: readiness.crm ?? null,
    };
    this.statusChanged();
  }

  private failed(source: Source, problem: string): void {
    const wasStale = this.problems.size > 0;
    this.problems.set(source, problem);
    if (!wasStale) this.options.logger.warn({ source }, 'floor page: a read failed; pages keep the last picture, marked stale');
    this.updateFreshness();
  }

  private succeeded(source: Source): void {
    this.lastGood.set(source, this.now());
    if (this.problems.delete(source) && this.problems.size === 0) this.options.logger.info({ source }, 'floor page: reads recovered');
    this.updateFreshness();
  }

  private updateFreshness(): void {
    const goods = [...this.lastGood.values()];
    this.status = {
      ...this.status,
      stale: this.problems.size > 0,
      asOf: goods.length > 0 ? Math.min(...goods) : null,
      problem: [...this.problems.values()][0] ?? null,
    };
    this.statusChanged();
  }

  /** Sent when something a page shows about the parts changed (not merely the time of the last read). */
  private statusChanged(): void {
    const { asOf: _asOf, ...shown } = this.status;
    const serialised = JSON.stringify({ ...shown, ...(this.status.stale ? { asOf: this.status.asOf } : {}) });
    if (serialised === this.lastSent.status) return;
    this.lastSent.status = serialised;
    this.changed();
    this.broadcast('status', { ...this.status, now: this.now() });
  }

  private rowOf(agent: AgentView): AgentRow {
    return {
      id: agent.id,
      name: this.names.get(agent.id) ?? null,
      state: agent.state,
      since: Date.parse(agent.since),
      office: agent.office,
      departments: agent.departments,
      load: agent.load,
      max: agent.maxConcurrent,
    };
  }

  private currentPicture(): FloorPicture {
    return {
      revision: this.revision,
      rosterVersion: this.rosterVersion,
      agents: [...this.agents.values()],
      departments: this.departments,
      lines: this.lines,
      transfers: this.transfers,
      status: this.status,
      links: { temporalUi: this.options.temporalUi ?? null, namespace: this.options.namespace },
      now: this.now(),
    };
  }

  private changed(): void {
    this.snapshotFrame = null;
  }

  /** The whole picture as one frame, serialised once however many pages need it (and its clock kept within a second). */
  private snapshot(): string {
    const now = this.now();
    if (!this.snapshotFrame || now - this.snapshotFrame.at > 1_000) this.snapshotFrame = { frame: this.frame('snapshot', this.currentPicture()), at: now };
    return this.snapshotFrame.frame;
  }

  private frame(event: string, data: unknown): string {
    // JSON.stringify escapes every line break inside strings, so the data is one line, as SSE requires.
    return `id: ${++this.seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private broadcast(event: string, data: unknown): void {
    if (this.streams.size > 0) this.broadcastRaw(this.frame(event, data));
  }

  private broadcastRaw(frame: string): void {
    for (const stream of this.streams) {
      if (stream.behind) continue;
      const buffered = stream.res.writableLength;
      if (buffered > 0 && buffered + frame.length > this.maxBuffered) {
        stream.behind = true;
        continue;
      }
      stream.res.write(frame);
    }
  }
}
