import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppDeps } from '../../src/api/app';
import { FloorFeed } from '../../src/api/floor/feed';
import type { FloorFeedOptions } from '../../src/api/floor/feed';
import { rosterOf } from '../../src/config/contact-center';
import type { ContactCenter } from '../../src/config/contact-center';
import type { FloorClient } from '../../src/integrations/floor-client';
import { createLogger } from '../../src/observability/logger';
import type { TransferConsole, TransferListFilters, TransferListItem } from '../../src/operations/transfer-console';
import { activitiesWith, alwaysOpenContactCenter } from './factories';
import { InMemoryFloor } from './in-memory-floor';
import { appWith } from './test-app';

export const ADMIN_TOKEN = 'floor-admin-token-for-tests';

/**
 * Visibility without Temporal: transfers held in a list, filtered the way the transfer console's query
 * filters them (status, closedAfter), for tests of the page that need no workflow to run.
 */
export class ListedTransfers implements Pick<TransferConsole, 'list'> {
  readonly items: TransferListItem[] = [];
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

/** Listens on a free loopback port; `close()` ends the floor's streams first, as the API server does. */
export async function listen(app: ReturnType<typeof floorApp>['app'], feed?: FloorFeed): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        feed?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The session cookie a sign-in sets (name=value only, as a browser sends it back). */
export function sessionFrom(setCookie: string | string[] | undefined): string {
  const header = [setCookie ?? []].flat().find((cookie) => cookie.startsWith('switchboard_floor='));
  if (!header) throw new Error('no session cookie was set');
  return header.split(';')[0]!;
}
