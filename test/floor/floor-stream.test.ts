import request from 'supertest';
import { rosterOf } from '../../src/config/contact-center';
import { AGENT_STATES } from '../../src/contracts';
import type { FloorPicture } from '../../src/api/floor/feed';
import {
  ADMIN_TOKEN,
  CountingFloor,
  EventStreamReader,
  ListedTransfers,
  contactCenterOf,
  floorApp,
  lineOf,
  listedTransfer,
  listen,
  sessionFrom,
} from '../support/floor-page';
import { eventually } from '../support/eventually';
import { InMemoryFloor } from '../support/in-memory-floor';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The app on a real port and a signed-in session's cookie. */
async function servedFloor(options: Parameters<typeof floorApp>[0] = {}) {
  const built = floorApp(options);
  const server = await listen(built.app, built.feed);
  closers.push(() => server.close());
  const signIn = await request(server.url).post('/floor/sign-in').type('form').send({ token: ADMIN_TOKEN }).expect(303);
  const cookie = sessionFrom(signIn.headers['set-cookie']);
  const open = async (headers: Record<string, string> = { cookie }) => {
    const stream = await EventStreamReader.open(`${server.url}/floor/events`, headers);
    closers.push(() => stream.close());
    return stream;
  };
  return { ...built, url: server.url, cookie, open };
}

describe('the floor as a stream of Server-Sent Events', () => {
  it('sends the whole picture first, then only the agents that changed, each event one line of JSON with an id', async () => {
    const { open, floor } = await servedFloor();
    const stream = await open();
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers['cache-control']).toMatch(/no-cache/);
    expect(stream.response.headers['x-accel-buffering']).toBe('no');

    const loaded = await stream.next((event) => event.event === 'snapshot' && event.data.status.loaded);
    const picture = loaded.data as FloorPicture;
    const parts = await stream.next((event) => (event.event === 'status' ? event.data : event.data.status)?.temporal === 'reachable');
    expect(stream.retry).toBe(3000);
    expect(picture.agents).toHaveLength(12);
    expect(picture.agents.find((agent) => agent.id === 'a-ana')).toMatchObject({ name: 'Ana Ruiz', state: 'available', departments: ['support', 'billing'], load: 0, max: 1 });
    expect(picture.departments.map((department) => department.id).sort()).toEqual(['billing', 'sales', 'support']);
    expect(picture.lines).toEqual([]);
    expect(parts.event === 'status' ? parts.data : parts.data.status).toMatchObject({
      temporal: 'reachable',
      workflowPollers: 2,
      encryption: 'on',
      stale: false,
      crm: { kind: 'demo', status: 'reachable' },
    });
    expect(picture.links).toEqual({ temporalUi: 'http://127.0.0.1:8233', namespace: 'default' });

    const from = stream.events.length;
    await floor.setStatus('a-ana', 'offline');
    const changed = await stream.next((event) => event.event === 'agents', { from });
    expect(changed.data.agents).toEqual([expect.objectContaining({ id: 'a-ana', state: 'offline' })]);
    expect(changed.data.departments.find((department: { id: string }) => department.id === 'billing').counts).toMatchObject({ available: 5, offline: 1 });

    for (const event of stream.events) {
      expect(event.dataLines).toBe(1);
      expect(event.id).toMatch(/^\d+$/);
    }
    const ids = stream.events.map((event) => Number(event.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('answers a stream without a session 401, and one with the bearer token like one with the cookie', async () => {
    const { url, open } = await servedFloor();
    await request(url).get('/floor/events').expect(401);
    await request(url).get('/floor/events').set('cookie', 'switchboard_floor=1999999999999.AAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').expect(401);
    const withBearer = await open({ authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(withBearer.response.statusCode).toBe(200);
    await withBearer.next((event) => event.event === 'snapshot');
  });

  it('reads the floor once per interval however many pages are open, never agent by agent, and stops when the last page goes', async () => {
    const counting = new CountingFloor(new InMemoryFloor(rosterOf(contactCenterOf(500))));
    const { open } = await servedFloor({ floor: counting, contactCenter: contactCenterOf(500) });
    const streams = await Promise.all(Array.from({ length: 40 }, () => open()));
    await Promise.all(streams.map((stream) => stream.next((event) => event.event === 'snapshot' && event.data.agents.length === 500)));
    const before = counting.calls.changes ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const reads = (counting.calls.changes ?? 0) - before;
    // One read every 100 ms (the tests' interval) for 40 pages: about 10, not 400, and no per-agent page reads.
    expect(reads).toBeGreaterThanOrEqual(5);
    expect(reads).toBeLessThanOrEqual(12);
    expect(counting.calls.page ?? 0).toBe(0);
    expect(counting.calls.liveStates ?? 0).toBe(0);

    for (const stream of streams) stream.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const idle = counting.calls.changes ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(counting.calls.changes ?? 0).toBe(idle);
  });

  it('asks visibility only for the transfers closed since its last look, and moves a transfer from in flight to the last hour', async () => {
    const transfers = new ListedTransfers();
    const running = listedTransfer({ status: 'RUNNING', closedAt: null, outcome: null, stage: 'awaiting-outcome', latencyMs: 380 });
    transfers.items.push(running);
    const { open } = await servedFloor({ transfers });
    const stream = await open();
    const inFlight = await stream.next((event) => event.event === 'transfers' || (event.event === 'snapshot' && event.data.transfers.inFlight.length > 0));
    const firstView = inFlight.event === 'snapshot' ? inFlight.data.transfers : inFlight.data;
    expect(firstView.inFlight).toEqual([expect.objectContaining({ workflowId: running.workflowId, stage: 'awaiting-outcome', agent: 'a-chloe', department: 'billing' })]);

    const from = stream.events.length;
    Object.assign(running, { status: 'COMPLETED', closedAt: new Date().toISOString(), outcome: 'failed', stage: 'done' });
    const closed = await stream.next((event) => event.event === 'transfers' && event.data.recent.length > 0, { from });
    expect(closed.data.inFlight).toEqual([]);
    expect(closed.data.recent).toEqual([expect.objectContaining({ workflowId: running.workflowId, outcome: 'failed', latencyMs: 380 })]);
    expect(closed.data.outcomes.failed).toBe(1);

    await eventually(async () => transfers.asked.filter((filters) => filters.closedAfter).length, (count) => count > 3);
    const looks = transfers.asked.filter((filters) => filters.closedAfter).map((filters) => Date.parse(filters.closedAfter!));
    // The first look reaches an hour back; every later one starts just before the look before it.
    expect(Date.now() - looks[0]!).toBeGreaterThan(59 * 60_000);
    for (const [index, look] of looks.slice(1).entries()) {
      expect(look).toBeGreaterThanOrEqual(looks[index]!);
      expect(Date.now() - look).toBeLessThan(60_000);
    }
  });

  it('keeps the last picture, marked stale with the reason, while the floor cannot be read, and recovers by itself', async () => {
    const counting = new CountingFloor(new InMemoryFloor(rosterOf(contactCenterOf(12))));
    const transfers = new ListedTransfers();
    const { open } = await servedFloor({ floor: counting, transfers, contactCenter: contactCenterOf(12) });
    const stream = await open();
    await stream.next((event) => event.event === 'snapshot' && event.data.status.loaded);

    let from = stream.events.length;
    counting.down = new Error('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:7233');
    transfers.failing = counting.down;
    const stale = await stream.next((event) => event.event === 'status' && event.data.stale, { from });
    expect(stale.data.problem).toMatch(/^the (floor|floor's lines|transfers) could not be read \(is Temporal reachable\?\): 14 UNAVAILABLE/);
    expect(stale.data.asOf).toBeLessThanOrEqual(Date.now());
    // Nothing is taken back: no snapshot or change replaces the picture while the reads fail.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(stream.events.slice(from).filter((event) => event.event === 'snapshot' || event.event === 'agents')).toEqual([]);

    // A page that connects during the outage gets the last picture, marked stale.
    const late = await open();
    const latePicture = (await late.next((event) => event.event === 'snapshot')).data as FloorPicture;
    expect(latePicture.agents).toHaveLength(12);
    expect(latePicture.status.stale).toBe(true);

    from = stream.events.length;
    await counting.inner.setStatus('a-0003', 'offline');
    counting.down = null;
    transfers.failing = null;
    await stream.next((event) => event.event === 'status' && !event.data.stale && event.data.problem === null, { from });
    const caughtUp = await stream.next((event) => event.event === 'agents', { from });
    expect(caughtUp.data.agents).toEqual([expect.objectContaining({ id: 'a-0003', state: 'offline' })]);
  });

  it('reads the floor whole again when it was started anew (its revision went back), and sends the new picture', async () => {
    const center = contactCenterOf(12);
    const counting = new CountingFloor(new InMemoryFloor(rosterOf(center)));
    for (let round = 0; round < 20; round += 1) await counting.inner.setStatus('a-0001', round % 2 ? 'available' : 'offline');
    const { open } = await servedFloor({ floor: counting, contactCenter: center });
    const stream = await open();
    const before = (await stream.next((event) => event.event === 'snapshot' && event.data.status.loaded)).data as FloorPicture;
    expect(before.revision).toBeGreaterThanOrEqual(20);

    const from = stream.events.length;
    counting.inner = new InMemoryFloor(rosterOf(center));
    await counting.inner.setStatus('a-0002', 'offline');
    const after = (await stream.next((event) => event.event === 'snapshot', { from })).data as FloorPicture;
    expect(after.revision).toBeLessThan(before.revision);
    expect(after.agents).toHaveLength(12);
    expect(after.agents.filter((agent) => agent.state === 'offline').map((agent) => agent.id)).toEqual(['a-0002']);
  });

  it("sends each department's line once the floor has lines, and again only when one changes", async () => {
    const counting = new CountingFloor(new InMemoryFloor(rosterOf(contactCenterOf(12))));
    const { open } = await servedFloor({ floor: counting, contactCenter: contactCenterOf(12) });
    const stream = await open();
    await stream.next((event) => event.event === 'snapshot' && event.data.status.loaded);
    expect(stream.events.some((event) => event.event === 'lines')).toBe(false);

    counting.linesAnswer = [lineOf('billing')];
    const first = await stream.next((event) => event.event === 'lines');
    expect(first.data).toEqual([lineOf('billing')]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stream.events.filter((event) => event.event === 'lines')).toHaveLength(1);

    const from = stream.events.length;
    counting.linesAnswer = [lineOf('billing', { waiting: 4, oldestWaitSeconds: 120 })];
    expect((await stream.next((event) => event.event === 'lines', { from })).data[0]).toMatchObject({ waiting: 4, oldestWaitSeconds: 120 });
  });

  it('answers 503 past its limit of open pages, and takes pages again once one leaves', async () => {
    const { url, open, cookie, feed } = await servedFloor({ feed: { maxStreams: 2 } });
    const first = await open();
    await open();
    const refused = await request(url).get('/floor/events').set('cookie', cookie).expect(503);
    expect(refused.body).toMatchObject({ error: 'too_many_streams' });
    first.close();
    await eventually(async () => feed.stats().streams, (streams) => streams === 1, 3_000);
    expect((await open()).response.statusCode).toBe(200);
  });
});

describe('5,000 agents and a page that does not read', () => {
  it('keeps a slow page to its bound, skipping changes, and brings it back with one fresh picture once it reads again', async () => {
    const size = 5_000;
    const center = contactCenterOf(size);
    const floor = new InMemoryFloor(rosterOf(center));
    const maxBufferedBytes = 256_000;
    const { open, feed } = await servedFloor({ floor, contactCenter: center, feed: { maxBufferedBytes, intervals: { agentsMs: 50 } } });
    const slow = await open();
    const snapshot = await slow.next((event) => event.event === 'snapshot' && event.data.agents.length === size);
    const snapshotBytes = JSON.stringify(snapshot.data).length;
    slow.pause();

    // Every agent changes state again and again: far more than the slow page's socket and buffer can hold.
    const states = ['offline', 'available'] as const;
    let maxBuffered = 0;
    for (let round = 0; round < 40; round += 1) {
      for (let index = 0; index < size; index += 1) await floor.setStatus(`a-${String(index).padStart(4, '0')}`, states[round % 2]!);
      await new Promise((resolve) => setTimeout(resolve, 60));
      maxBuffered = Math.max(maxBuffered, feed.stats().maxBufferedBytes);
    }
    const stats = feed.stats();
    expect(stats.behind).toBe(1);
    // Bounded: never more than the bound plus one frame (one picture at most), however much changed.
    expect(maxBuffered).toBeLessThanOrEqual(maxBufferedBytes + snapshotBytes + 1_000);
    const from = slow.events.length;
    slow.resume();
    const fresh = await slow.next((event) => event.event === 'snapshot', { from, timeoutMs: 10_000 });
    const counts = Object.fromEntries(AGENT_STATES.map((state) => [state, 0]));
    for (const agent of (fresh.data as FloorPicture).agents) counts[agent.state]! += 1;
    expect(counts).toMatchObject({ available: size, offline: 0 });
    expect(feed.stats().behind).toBe(0);
  }, 60_000);
});
