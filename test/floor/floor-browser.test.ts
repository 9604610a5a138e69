/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { FEED_INTERVALS, FloorFeed } from '../../src/api/floor/feed';
import { rosterOf } from '../../src/config/contact-center';
import type { ContactCenter } from '../../src/config/contact-center';
import { PROJECT_ROOT } from '../../src/config/paths';
import { TransferAgent, TransferStageAttribute, transferWorkflowId } from '../../src/contracts';
import type { FakeControlServer } from '../../src/dev/fake-control-server';
import { startFakeControlServer } from '../../src/dev/fake-control-server';
import { buildForwardingStatusUpdate, buildToolCallsPayload, newCallId } from '../../src/dev/vapi-payloads';
import { TemporalFloorClient } from '../../src/integrations/floor-client';
import type { CallStatusSource } from '../../src/integrations/call-status';
import { createLogger } from '../../src/observability/logger';
import { TransferConsole } from '../../src/operations/transfer-console';
import { createDataConverter } from '../../src/temporal/data-converter';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import { createReadinessCheck } from '../../src/temporal/readiness';
import { parseAllowedHosts } from '../../src/vapi/control-url';
import type { TestBrowser } from '../support/browser';
import { describeInBrowser, launchBrowser, signIn } from '../support/browser';
import { eventually } from '../support/eventually';
import { activitiesWith, alwaysOpenContactCenter } from '../support/factories';
import { ADMIN_TOKEN, CountingFloor, ListedTransfers, contactCenterOf, floorApp, lineOf, listedTransfer, listen } from '../support/floor-page';
import { InMemoryFloor } from '../support/in-memory-floor';
import { connectTestEnv, uniqueTaskQueue } from '../support/temporal';
import { defaultWebhookSettings } from '../support/test-app';
import { floorBackedActivities, startTestWorkers } from '../support/workers';

/** Screenshots go to docs/ with SWITCHBOARD_SCREENSHOTS=docs (how the README's were made), else to a temporary folder. */
const SCREENSHOTS = process.env.SWITCHBOARD_SCREENSHOTS === 'docs' ? path.join(PROJECT_ROOT, 'docs') : path.join(os.tmpdir(), 'switchboard-floor-screenshots');

let browser: TestBrowser;
const closers: (() => Promise<unknown>)[] = [];

/** The rows of an open department, as the page shows them: agent id → state. */
async function shownStates(page: Page): Promise<Record<string, string>> {
  return page.$$eval('tr.agent', (rows) => Object.fromEntries(rows.map((row) => [(row as HTMLElement).dataset.agentId!, (row.querySelector('[data-state]') as HTMLElement).dataset.state!])));
}

/** Opens a department as a supervisor does, by its summary (found by its data, whatever characters its name holds). */
async function openDepartment(page: Page, department: string): Promise<void> {
  const find = (name: string) => [...document.querySelectorAll('details.department')].find((details) => (details as HTMLElement).dataset.department === name) as HTMLDetailsElement | undefined;
  await page.waitForFunction(find, department);
  const details = (await page.evaluateHandle(find, department)).asElement()!;
  if (!(await details.evaluate((node) => (node as HTMLDetailsElement).open))) await (await details.$(':scope > summary'))!.click();
  await details.waitForSelector('tr.agent');
}

describeInBrowser('the floor page in a browser', () => {
  beforeAll(async () => {
    browser = await launchBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await browser?.close();
  });

  afterEach(() => {
    // Script errors and Content-Security-Policy violations, whatever the test did.
    expect(browser.problems.splice(0)).toEqual([]);
  });

  describe('with Switchboard on a real Temporal dev server', () => {
    let env: TestWorkflowEnvironment;
    let control: FakeControlServer;
    let client: Client;
    let baseUrl: string;
    const taskQueue = uniqueTaskQueue('floor-page');
    const contactCenter = alwaysOpenContactCenter();
    /** Calls whose transfer the fake control server refuses (400). */
    const refused = new Set<string>();
    const callStatus: CallStatusSource = { status: async () => null };

    beforeAll(async () => {
      env = await connectTestEnv();
      control = await startFakeControlServer();
      control.respondWith((command) => (refused.has(command.callId) && (command.body as { type?: string }).type === 'transfer' ? { status: 400, body: { message: 'no' } } : { status: 200, body: {} }));
      const dataConverter = createDataConverter(new AesGcmPayloadCodec([{ id: 'k-floor', key: Buffer.alloc(32, 7) }]));
      client = new Client({ connection: env.connection, namespace: 'default', dataConverter });
      const workers = await startTestWorkers(env, taskQueue, floorBackedActivities(env, taskQueue, { contactCenter }, client).activities, { dataConverter, encryptedFailures: true });
      // Closed in reverse: the workers first, the connection they hold last.
      closers.push(() => env.teardown(), () => control.close(), () => workers.stop());
      const logger = createLogger({ level: 'silent' });
      const readiness = createReadinessCheck(client, taskQueue);
      const floor = new TemporalFloorClient(client.workflow, taskQueue, () => rosterOf(contactCenter));
      const transfers = new TransferConsole({ workflowClient: client.workflow, taskQueue, callStatus, dataConverter });
      // The production intervals: "within 2 s" is measured as a supervisor would see it.
      const feed = new FloorFeed({ floor, transfers, readiness, agents: contactCenter.agents, encryption: 'on', temporalUi: 'http://127.0.0.1:8233', namespace: 'default', logger, intervals: FEED_INTERVALS });
      const app = createApp({
        ...defaultWebhookSettings(),
        webhookAuth: { mode: 'none' },
        transferToolNames: ['transfer_call'],
        allowedHosts: parseAllowedHosts(['*.vapi.ai', '127.0.0.1']),
        taskQueue,
        workflowClient: client.workflow,
        logger,
        readiness,
        // Transfers Vapi does not report on stay in flight long enough to be seen there.
        timings: { outcomeTimeoutSeconds: 30, fallbackCheckSeconds: 1, warmDialSeconds: 1 },
        transfers,
        operator: { adminToken: ADMIN_TOKEN, floor, contactCenter, crm: activitiesWith().deps.crm, tone: activitiesWith().deps.tone, transferToolNames: ['transfer_call'] },
        floor: { feed },
      });
      const server = await listen(app, feed);
      closers.push(() => server.close());
      baseUrl = server.url;
    });

    /** One tool-calls webhook, as Vapi sends it; `forward`: Vapi then reports the call forwarded. */
    async function postTransfer(options: { department?: string; refuse?: boolean; forward?: boolean } = {}) {
      const callId = newCallId();
      if (options.refuse) refused.add(callId);
      const { body, toolCallId } = buildToolCallsPayload({
        callId,
        controlUrl: control.controlUrlFor(callId),
        arguments: { department: options.department ?? 'billing', reason: 'question about my invoice', urgency: 'medium' },
        callerNumber: '+12125550187',
        callerTurns: ['my account number is 4417 and my invoice is wrong'],
      });
      await request(baseUrl).post('/webhook').send(body).expect(200);
      const workflowId = transferWorkflowId(callId, toolCallId);
      if (options.forward) {
        await control.waitForCommands(callId, 1);
        await eventually(async () => (await client.workflow.getHandle(workflowId).describe()).typedSearchAttributes, (attributes) => attributes.get(TransferStageAttribute) === 'awaiting-outcome');
        await request(baseUrl).post('/webhook').send(buildForwardingStatusUpdate({ callId, toolCallId, controlUrl: control.controlUrlFor(callId) })).expect(200);
      }
      return { workflowId, callId, toolCallId };
    }

    const setStatus = (agentId: string, status: string) =>
      request(baseUrl).post(`/agents/${agentId}/status`).set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ status }).expect(200);

    it('signs in with the admin token and shows every demo agent, by department, and no department with a line', async () => {
      const page = await browser.newPage();
      await signIn(page, baseUrl, ADMIN_TOKEN);
      await page.waitForSelector('#freshness.is-live');
      await page.waitForFunction(() => document.getElementById('agent-totals')?.textContent?.startsWith('12 agents.'));
      const seen = new Set<string>();
      for (const department of ['billing', 'sales', 'support']) {
        await openDepartment(page, department);
        for (const id of Object.keys(await shownStates(page))) seen.add(id);
      }
      expect([...seen].sort()).toEqual(contactCenter.agents.map((agent) => agent.id).sort());
      const names = await page.$$eval('td.agent-name', (cells) => cells.map((cell) => cell.textContent));
      expect(names).toEqual(expect.arrayContaining(contactCenter.agents.map((agent) => agent.name)));
      expect(await page.textContent('#lines')).toContain('No department has a line');
      expect(await page.$$eval('#parts li', (items) => items.map((item) => item.textContent))).toEqual(['Temporalreachable', 'Workerspolling (1)', 'Encryptionon']);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'floor-quiet.png'), fullPage: true });
      await page.close();
    });

    it('shows a transfer the webhook started within 2 s, without a reload, with a link to its run in the Web UI', async () => {
      const page = await browser.newPage();
      await signIn(page, baseUrl, ADMIN_TOKEN);
      await page.waitForSelector('#freshness.is-live');
      const started = Date.now();
      const { workflowId } = await postTransfer({ department: 'sales' });
      const row = await page.waitForSelector(`tr.transfer[data-workflow-id="${workflowId}"]`, { timeout: 2_000 });
      const seenAfterMs = Date.now() - started;
      expect(seenAfterMs).toBeLessThan(2_000);
      expect(await row.textContent()).toContain('sales');
      // Ids hold ':' (and escapes as %3A): the link encodes them, so it names this very run.
      const href = await row.$eval('a.web-ui', (link) => (link as HTMLAnchorElement).href);
      const { runId } = await client.workflow.getHandle(workflowId).describe();
      expect(href).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`);
      expect(href.split('/workflows/')[1]).not.toContain(':');
      // Nothing the caller said or their number: visibility has none of it, and the page shows none.
      const text = (await page.textContent('body'))!;
      expect(text).not.toContain('4417');
      expect(text).not.toContain('5550187');
      await page.close();
    });

    it('shows an agent on a call, then ready once marked so (POST /agents/:id/status), without a reload', async () => {
      const page = await browser.newPage();
      await signIn(page, baseUrl, ADMIN_TOKEN);
      const { workflowId } = await postTransfer({ department: 'billing', forward: true });
      const agent = await eventually(async () => (await client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(TransferAgent), Boolean);
      expect(agent).toMatch(/^a-/);
      await openDepartment(page, 'billing');
      await page.waitForSelector(`tr.agent[data-agent-id="${agent}"].state-on-call`, { timeout: 5_000 });

      const marked = Date.now();
      await setStatus(agent!, 'available');
      await page.waitForSelector(`tr.agent[data-agent-id="${agent}"].state-available`, { timeout: 2_000 });
      expect(Date.now() - marked).toBeLessThan(2_000);
      await page.close();
    });

    it('retries a failed transfer from the page: a refusal says why, and "Retry anyway" starts a new run', async () => {
      const page = await browser.newPage();
      await signIn(page, baseUrl, ADMIN_TOKEN);
      const { workflowId, callId } = await postTransfer({ refuse: true });
      const failedRow = `#recent tr.transfer[data-workflow-id="${workflowId}"][data-outcome="failed"]`;
      await page.waitForSelector(failedRow, { timeout: 10_000 });
      // Failed and unknown transfers come first.
      expect(await page.$eval('#recent tbody tr', (row) => (row as HTMLElement).dataset.outcome)).toMatch(/^(failed|unknown)$/);

      await page.click(`${failedRow} button.retry`);
      const refusal = await page.waitForSelector(`${failedRow} .message.refused`);
      expect(await refusal.textContent()).toBe('cannot ask Vapi whether the caller is still on the line (set VAPI_API_KEY); retry with force if you know the call is live');

      refused.delete(callId);
      await page.click(`${failedRow} button.force`);
      await page.waitForSelector(`tr.transfer[data-workflow-id="${workflowId}"] .message.ok`);
      // The new run replaces the failed one on the page, and this time Vapi took the transfer.
      await page.waitForSelector(`#in-flight tr.transfer[data-workflow-id="${workflowId}"]`, { timeout: 5_000 });
      expect(await page.$(failedRow)).toBeNull();
      const transfers = control.commandsFor(callId).filter((command) => (command.body as { type?: string }).type === 'transfer');
      expect(transfers).toHaveLength(2);
      await page.close();
    });

    it('shows a busy floor: agents in every state and transfers in flight, transferred and failed (screenshot)', async () => {
      const page = await browser.newPage();
      await signIn(page, baseUrl, ADMIN_TOKEN);
      await Promise.all([postTransfer({ department: 'support', forward: true }), postTransfer({ department: 'sales', forward: true }), postTransfer({ department: 'billing', refuse: true })]);
      await postTransfer({ department: 'support' });
      await setStatus('a-mika', 'offline');
      await setStatus('a-jonas', 'offline');
      // An agent whose call ended and who does their after-call work.
      const onCall = await eventually(
        async () => (await client.workflow.getHandle((await postTransfer({ department: 'billing', forward: true })).workflowId).describe()).typedSearchAttributes.get(TransferAgent),
        Boolean,
      );
      // Once the floor has the news that the call connected (a signal, applied in order): then the call ends.
      await eventually(
        async () => (await request(baseUrl).get('/agents').query({ search: onCall! }).set('authorization', `Bearer ${ADMIN_TOKEN}`)).body.agents[0]?.state,
        (state) => state === 'on-call',
      );
      await setStatus(onCall!, 'wrap-up');
      for (const department of ['billing', 'sales', 'support']) await openDepartment(page, department);
      await page.waitForFunction(() => ['on-call', 'wrap-up', 'offline', 'reserved', 'available'].every((state) => document.querySelector(`#agent-totals [data-state="${state}"]`)), undefined, { timeout: 10_000 });
      await page.waitForSelector('#recent tr.transfer[data-outcome="transferred"]', { timeout: 10_000 });
      await page.waitForSelector('#in-flight tr.transfer', { timeout: 10_000 });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'floor-busy.png'), fullPage: true });
      await page.close();
    });
  });

  describe('with a floor and transfers held in memory', () => {
    it('renders every name, department and id as text, whatever it holds', async () => {
      const hostile = {
        name: '<script>window.__xss = "name"</script>',
        department: '"><img src=x onerror="window.__xss=\'department\'">',
        agent: '<img src=x onerror="window.__xss=\'agent\'">',
        callId: '"><svg onload="window.__xss=\'call\'">',
        stage: '<b onmouseover="window.__xss=\'stage\'">routing</b>',
      };
      const demo = alwaysOpenContactCenter();
      const center: ContactCenter = { ...demo, agents: demo.agents.map((agent, index) => (index === 0 ? { ...agent, name: hostile.name, skills: [...agent.skills, hostile.department] } : agent)) };
      const transfers = new ListedTransfers();
      transfers.items.push(
        listedTransfer({ department: hostile.department, agent: hostile.agent, callId: hostile.callId, outcome: 'failed' }),
        listedTransfer({ status: 'RUNNING', closedAt: null, outcome: null, stage: hostile.stage, department: hostile.department }),
        { ...listedTransfer({ outcome: 'unknown' }), workflowId: 'transfer:<script>window.__xss="id"</script>:x' },
      );
      const { app, feed } = floorApp({ contactCenter: center, transfers, feed: { temporalUi: 'javascript:window.__xss="link"//' } });
      const server = await listen(app, feed);
      closers.push(() => server.close());
      const page = await browser.newPage();
      await signIn(page, server.url, ADMIN_TOKEN);
      await openDepartment(page, hostile.department);
      await page.waitForSelector('#recent tr.transfer');
      await page.fill('#filter', '<img src=x onerror="window.__xss=\'filter\'">');
      await page.fill('#filter', '');
      await page.click('#recent tr.transfer[data-outcome="unknown"] button.retry');
      await page.waitForSelector('#recent tr.transfer[data-outcome="unknown"] .message.refused');

      const body = (await page.textContent('body'))!;
      for (const value of [hostile.name, hostile.department, hostile.agent, hostile.stage]) expect(body).toContain(value);
      expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
      expect(await page.$$('img, svg, b, #floor script')).toHaveLength(0);
      // A Web UI address that is not http(s) is never made a link.
      expect(await page.$$('a.web-ui')).toHaveLength(0);
      expect(await page.textContent('#recent tr.transfer[data-outcome="unknown"] .message.refused')).toBe('not a transfer workflow id');
      await page.close();
    });

    it('says when the floor cannot be read and keeps the last picture, marked stale, then recovers without a reload', async () => {
      const floor = new CountingFloor(new InMemoryFloor(rosterOf(alwaysOpenContactCenter())));
      const transfers = new ListedTransfers();
      transfers.items.push(listedTransfer({ outcome: 'transferred' }));
      const { app, feed } = floorApp({ floor, transfers });
      const server = await listen(app, feed);
      closers.push(() => server.close());
      const page = await browser.newPage();
      await signIn(page, server.url, ADMIN_TOKEN);
      await page.waitForSelector('#freshness.is-live');
      await page.waitForSelector('#recent tr.transfer');

      floor.down = new Error('14 UNAVAILABLE: No connection established');
      transfers.failing = floor.down;
      await page.waitForSelector('#freshness.is-stale');
      expect(await page.textContent('#freshness')).toMatch(/^Stale: showing the picture from .+\. the (floor|floor's lines|transfers) could not be read \(is Temporal reachable\?\): 14 UNAVAILABLE/);
      expect(await page.$eval('body', (body) => body.classList.contains('stale'))).toBe(true);
      expect(await page.textContent('#agent-totals')).toMatch(/^12 agents\./);
      expect(await page.$$('#recent tr.transfer')).toHaveLength(1);

      await floor.inner.setStatus('a-ana', 'offline');
      floor.down = null;
      transfers.failing = null;
      await page.waitForSelector('#freshness.is-live', { timeout: 3_000 });
      await page.waitForFunction(() => document.querySelector('#agent-totals [data-state="offline"]')?.textContent === '1 offline');
      await page.close();
    });

    it('says when Switchboard itself is away, and picks up again by itself once it is back (the session still good)', async () => {
      const before = floorApp();
      const first = await listen(before.app, before.feed);
      const page = await browser.newPage();
      await signIn(page, first.url, ADMIN_TOKEN);
      await page.waitForSelector('#freshness.is-live');
      await first.close();
      await page.waitForSelector('#freshness.is-stale');
      expect(await page.textContent('#freshness')).toMatch(/^Connection to Switchboard lost; reconnecting\. Showing the picture from /);
      expect(await page.textContent('#agent-totals')).toMatch(/^12 agents\./);

      // Another process (a restart, or another API behind the balancer) with the same ADMIN_TOKEN.
      const after = floorApp();
      await after.floor.setStatus('a-ana', 'offline');
      const second = await listen(after.app, after.feed, Number(new URL(first.url).port));
      closers.push(() => second.close());
      await page.waitForSelector('#freshness.is-live', { timeout: 10_000 });
      await page.waitForFunction(() => document.querySelector('#agent-totals [data-state="offline"]')?.textContent === '1 offline');
      expect(page.url()).toBe(`${first.url}/floor`);
      await page.close();
    });

    it('keeps open the department a supervisor opens, though a live update is drawn before the details element toggles', async () => {
      const { app, feed } = floorApp();
      const server = await listen(app, feed);
      closers.push(() => server.close());
      const page = await browser.newPage();
      await signIn(page, server.url, ADMIN_TOKEN);
      await page.waitForSelector('details.department[data-department="billing"]');
      // In one frame: the click first, then the page's own redraw, and only a task later the details' toggle event.
      await page.evaluate(
        () =>
          new Promise<void>((resolve) => {
            const summary = document.querySelector('details.department[data-department="billing"] > summary') as HTMLElement;
            requestAnimationFrame(() => summary.click());
            document.getElementById('filter')!.dispatchEvent(new Event('input'));
            setTimeout(resolve, 300);
          }),
      );
      expect(await page.$eval('details.department[data-department="billing"]', (node) => (node as HTMLDetailsElement).open)).toBe(true);
      await page.waitForSelector('details.department[data-department="billing"] tr.agent');
      await page.close();
    });

    it("shows each department's line: callers waiting, the oldest wait, the service level and callbacks due", async () => {
      const floor = new CountingFloor(new InMemoryFloor(rosterOf(alwaysOpenContactCenter())));
      const { app, feed } = floorApp({ floor });
      const server = await listen(app, feed);
      closers.push(() => server.close());
      const page = await browser.newPage();
      await signIn(page, server.url, ADMIN_TOKEN);
      await page.waitForSelector('#freshness.is-live');
      expect(await page.textContent('#lines')).toContain('No department has a line');

      floor.linesAnswer = [lineOf('billing'), lineOf('support', { waiting: 0, oldestWaitSeconds: null, callbacksDue: 0, serviceLevel: { targetSeconds: 30, answered: 0, withinTarget: 0 } })];
      await page.waitForSelector('#lines tr[data-department="support"]');
      const rows = await page.$$eval('#lines tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows).toEqual([
        ['billing', '3 / 20', '1 min 35 s', '85% within 60 s (34 of 40)', '1'],
        ['support', '0 / 20', '—', '— within 30 s (0 of 0)', '0'],
      ]);
      await (await page.$('#lines'))!.screenshot({ path: path.join(SCREENSHOTS, 'floor-lines.png') });
      await page.close();
    });

    it('stays responsive with 5,000 agents: departments drawn when opened, a page at a time, and a filter that finds one', async () => {
      const center = contactCenterOf(5_000);
      const floor = new InMemoryFloor(rosterOf(center));
      const { app, feed } = floorApp({ floor, contactCenter: center });
      const server = await listen(app, feed);
      closers.push(() => server.close());
      const page = await browser.newPage();
      await signIn(page, server.url, ADMIN_TOKEN);
      await page.waitForFunction(() => document.getElementById('agent-totals')?.textContent?.startsWith('5000 agents.'), undefined, { timeout: 10_000 });
      // Nothing drawn for a closed department.
      expect(await page.$$('tr.agent')).toHaveLength(0);

      let round = 0;
      const churn = setInterval(() => {
        for (let index = 0; index < 200; index += 1) void floor.setStatus(`a-${String((round * 200 + index) % 5_000).padStart(4, '0')}`, round % 2 ? 'available' : 'offline');
        round += 1;
      }, 100);
      try {
        const opened = Date.now();
        await openDepartment(page, 'support');
        expect(Date.now() - opened).toBeLessThan(1_500);
        expect(await page.$$('tr.agent')).toHaveLength(100);
        expect(await page.textContent('details[data-department="support"] .pager')).toMatch(/Agents 1–100 of \d{4}/);
        await page.click('details[data-department="support"] .pager button:last-child');
        expect(await page.textContent('details[data-department="support"] .pager')).toMatch(/Agents 101–200 of/);

        // The page answers at once while the floor changes under it.
        for (let probe = 0; probe < 5; probe += 1) {
          const asked = Date.now();
          await page.evaluate(() => document.querySelectorAll('tr.agent').length);
          expect(Date.now() - asked).toBeLessThan(500);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }

        await page.fill('#filter', 'Agent 4321');
        await page.waitForFunction(() => document.getElementById('agent-totals')?.textContent?.startsWith('1 of 5000 agents match.'));
        await page.waitForSelector('tr.agent[data-agent-id="a-4321"]');
      } finally {
        clearInterval(churn);
      }
      await page.close();
    });

    it('signs out: back to the sign-in form, with the session gone', async () => {
      const { app, feed } = floorApp();
      const server = await listen(app, feed);
      closers.push(() => server.close());
      const page = await browser.newPage();
      await signIn(page, server.url, ADMIN_TOKEN);
      const cookie = (await browser.context.cookies(server.url)).find((entry) => entry.name === 'switchboard_floor');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
      expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000);
      expect(await page.evaluate(() => document.cookie)).toBe('');

      await Promise.all([page.waitForURL(`${server.url}/floor`), page.click('#sign-out')]);
      await page.waitForSelector('form[action="/floor/sign-in"]');
      expect((await browser.context.cookies(server.url)).find((entry) => entry.name === 'switchboard_floor')).toBeUndefined();
      await request(server.url).get('/floor/state').set('cookie', `switchboard_floor=${cookie!.value}`).expect(401);
      await page.close();
    });
  });
});
