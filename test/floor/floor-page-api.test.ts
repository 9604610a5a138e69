import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { FLOOR_CSP } from '../../src/api/floor/pages';
import { SIGN_IN_ATTEMPTS, WRONG_TOKEN_DELAY_MS } from '../../src/api/floor/router';
import { SESSION_TTL_MS } from '../../src/api/floor/session';
import { PROJECT_ROOT } from '../../src/config/paths';
import { ADMIN_TOKEN, ListedTransfers, floorApp, listen, sessionFrom } from '../support/floor-page';
import type { InMemoryFloor } from '../support/in-memory-floor';

async function signedIn(app: ReturnType<typeof floorApp>['app']): Promise<string> {
  const response = await request(app).post('/floor/sign-in').type('form').send({ token: ADMIN_TOKEN }).expect(303);
  return sessionFrom(response.headers['set-cookie']);
}

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** The app on a real port, so a request can carry the Origin a page of the API's own origin sends. */
async function served(app: ReturnType<typeof floorApp>['app']): Promise<{ http: ReturnType<typeof request>; origin: string }> {
  const server = await listen(app);
  servers.push(server);
  return { http: request(server.url), origin: server.url };
}

describe('signing in to the floor', () => {
  it('answers a browser without a session with the sign-in form, which has no script and asks for the admin token', async () => {
    const { app } = floorApp();
    const response = await request(app).get('/floor').expect(200).expect('content-type', /text\/html/);
    expect(response.text).toContain('<form method="post" action="/floor/sign-in">');
    expect(response.text).toContain('name="token" type="password"');
    expect(response.text).not.toMatch(/<script/i);
    await request(app).get('/floor/state').expect(401);
    await request(app).get('/floor/events').expect(401);
  });

  it('signs in with the admin token: an HttpOnly, SameSite=Strict session cookie that expires, then the page', async () => {
    const { app } = floorApp();
    const response = await request(app).post('/floor/sign-in').type('form').send({ token: ADMIN_TOKEN }).expect(303).expect('location', '/floor');
    const cookie = [response.headers['set-cookie']].flat().join('\n');
    expect(cookie).toMatch(/^switchboard_floor=\d{13}\.[\w-]{24}\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=(\d+)$/);
    expect(Number(/Max-Age=(\d+)/.exec(cookie)![1])).toBe(SESSION_TTL_MS / 1000);
    // Plain HTTP: a Secure cookie would never come back.
    expect(cookie).not.toContain('Secure');
    expect(cookie).not.toContain(ADMIN_TOKEN);

    const page = await request(app).get('/floor').set('cookie', sessionFrom(response.headers['set-cookie'])).expect(200);
    expect(page.text).toContain('<script src="/floor/assets/floor.js" defer></script>');
    expect(page.text).not.toContain(ADMIN_TOKEN);
  });

  it('marks the cookie Secure when the page is served over HTTPS through a proxy TRUST_PROXY names, and believes no other', async () => {
    const trusted = floorApp({ app: { trustProxy: 1 } });
    const secure = await request(trusted.app).post('/floor/sign-in').set('x-forwarded-proto', 'https').type('form').send({ token: ADMIN_TOKEN }).expect(303);
    expect([secure.headers['set-cookie']].flat().join()).toMatch(/; Secure$/);

    const untrusted = floorApp();
    const plain = await request(untrusted.app).post('/floor/sign-in').set('x-forwarded-proto', 'https').type('form').send({ token: ADMIN_TOKEN }).expect(303);
    expect([plain.headers['set-cookie']].flat().join()).not.toContain('Secure');
  });

  it('answers a wrong token with 401 and the form after a delay, logging the attempt and never what was typed', async () => {
    const { app, logLines } = floorApp({ app: { floor: undefined } });
    // The page as production builds it: the default delay.
    const production = floorApp();
    const withDefaultDelay = floorApp({ app: { floor: { feed: production.feed } } });
    const started = Date.now();
    const response = await request(withDefaultDelay.app).post('/floor/sign-in').type('form').send({ token: 'guess-number-one' }).expect(401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(WRONG_TOKEN_DELAY_MS - 20);
    expect(response.text).toContain('That is not the admin token.');
    expect(response.headers['set-cookie']).toBeUndefined();
    const log = withDefaultDelay.logLines.join('\n');
    expect(log).toContain('floor sign-in refused: wrong admin token');
    expect(log).not.toContain('guess-number-one');
    // Without the page configured, there is no sign-in at all.
    await request(app).post('/floor/sign-in').type('form').send({ token: ADMIN_TOKEN }).expect(404);
    expect(logLines.join('\n')).not.toContain(ADMIN_TOKEN);
  });

  it(`refuses an address after ${SIGN_IN_ATTEMPTS} wrong tokens (429, even with the right one), while other addresses still sign in`, async () => {
    const { app } = floorApp({ app: { trustProxy: 1 } });
    const from = (address: string, token: string) => request(app).post('/floor/sign-in').set('x-forwarded-for', address).type('form').send({ token });
    // At once, as a guesser would: the limit counts each attempt when it arrives, not when it is answered.
    const guesses = await Promise.all(Array.from({ length: SIGN_IN_ATTEMPTS + 2 }, (_, index) => from('203.0.113.7', `guess-${index}`)));
    const statuses = guesses.map((response) => response.status).sort();
    expect(statuses).toEqual([...new Array(SIGN_IN_ATTEMPTS).fill(401), 429, 429]);
    const refused = await from('203.0.113.7', ADMIN_TOKEN).expect(429);
    expect(refused.text).toContain('Too many wrong tokens from your address');
    expect(refused.headers['set-cookie']).toBeUndefined();
    await from('198.51.100.20', ADMIN_TOKEN).expect(303);
    // Signing in again and again is never counted against anyone.
    for (let index = 0; index < SIGN_IN_ATTEMPTS + 2; index += 1) await from('198.51.100.21', ADMIN_TOKEN).expect(303);
  });

  it('says the floor is shut when ADMIN_TOKEN is unset, and lets nobody in', async () => {
    const { app } = floorApp({ adminToken: undefined });
    expect((await request(app).get('/floor').expect(200)).text).toContain('ADMIN_TOKEN is not set');
    await request(app).post('/floor/sign-in').type('form').send({ token: '' }).expect(401);
    await request(app).post('/floor/sign-in').type('form').send({ token: 'anything' }).expect(401);
  });

  it('refuses a sign-in posted by a page of another site', async () => {
    const { app } = floorApp();
    const response = await request(app).post('/floor/sign-in').set('origin', 'https://evil.example').type('form').send({ token: ADMIN_TOKEN }).expect(403);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('signs out: the cookie is cleared and the session opens nothing any more, and a sign-out from another site is refused', async () => {
    const { app } = floorApp();
    const cookie = await signedIn(app);
    await request(app).post('/floor/sign-out').set('cookie', cookie).set('origin', 'https://evil.example').expect(403);
    await request(app).get('/floor/state').set('cookie', cookie).expect(200);

    const { http, origin } = await served(app);
    const out = await http.post('/floor/sign-out').set('cookie', cookie).set('origin', origin).expect(303).expect('location', '/floor');
    expect([out.headers['set-cookie']].flat().join()).toMatch(/^switchboard_floor=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/);
    await request(app).get('/floor/state').set('cookie', cookie).expect(401);
    await request(app).get('/agents').set('cookie', cookie).expect(401);
    expect((await request(app).get('/floor').set('cookie', cookie).expect(200)).text).toContain('action="/floor/sign-in"');
  });
});

describe('the operator endpoints the page calls', () => {
  it('accept the session cookie from a page of this origin, as they accept the bearer token', async () => {
    const transfers = new ListedTransfers();
    const { app, floor } = floorApp({ transfers });
    const cookie = await signedIn(app);
    const { http, origin } = await served(app);
    await http.get('/agents').set('cookie', cookie).expect(200);
    const ready = await http.post('/agents/a-ana/status').set('cookie', cookie).set('origin', origin).send({ status: 'offline' }).expect(200);
    expect(ready.body).toMatchObject({ id: 'a-ana', state: 'offline' });
    expect((floor as InMemoryFloor).model.liveState('a-ana', Date.now()).state).toBe('offline');

    // A refused retry says why, as the endpoint does for the CLI.
    const refused = await http.post('/transfers/transfer:c-1:t-1/retry').set('cookie', cookie).set('origin', origin).send({}).expect(409);
    expect(refused.body).toEqual({ error: 'call_state_unknown', message: expect.stringMatching(/retry with force/) });
    await http.post('/transfers/transfer:c-1:t-1/retry').set('cookie', cookie).set('origin', origin).send({ force: true }).expect(202);
    await http.post('/transfers/transfer:c-1:t-1/cancel').set('cookie', cookie).set('origin', origin).send({}).expect(409, /not_running/);
    // The bearer token needs no Origin: no browser sends it by itself.
    await request(app).post('/transfers/transfer:c-1:t-1/retry').set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ force: true }).expect(202);
    expect(transfers.actions).toEqual([
      { action: 'retry', workflowId: 'transfer:c-1:t-1' },
      { action: 'retry', workflowId: 'transfer:c-1:t-1', force: true },
      { action: 'cancel', workflowId: 'transfer:c-1:t-1' },
      { action: 'retry', workflowId: 'transfer:c-1:t-1', force: true },
    ]);
  });

  it('refuse a cross-site POST: a foreign Origin, no Origin, or no cookie, and change nothing', async () => {
    const transfers = new ListedTransfers();
    const { app, floor } = floorApp({ transfers });
    const cookie = await signedIn(app);
    const attempts = [
      request(app).post('/agents/a-ben/status').set('cookie', cookie).set('origin', 'https://evil.example').send({ status: 'offline' }),
      request(app).post('/agents/a-ben/status').set('cookie', cookie).set('origin', 'null').send({ status: 'offline' }),
      request(app).post('/agents/a-ben/status').set('cookie', cookie).send({ status: 'offline' }),
      request(app).post('/transfers/transfer:c-1:t-1/retry').set('cookie', cookie).set('origin', 'http://127.0.0.1.evil.example').send({ force: true }),
      request(app).post('/transfers/transfer:c-1:t-1/cancel').set('cookie', cookie).set('origin', 'https://evil.example').send({}),
    ];
    for (const attempt of attempts) expect((await attempt).body).toMatchObject({ error: 'cross_origin' });
    // What a cross-site form sends under SameSite=Strict: no cookie at all.
    await request(app).post('/agents/a-ben/status').set('origin', 'https://evil.example').send({ status: 'offline' }).expect(401);
    await request(app).post('/transfers/transfer:c-1:t-1/retry').set('origin', 'https://evil.example').send({ force: true }).expect(401);
    expect((floor as InMemoryFloor).model.liveState('a-ben', Date.now()).state).toBe('available');
    expect(transfers.actions).toEqual([]);
  });

  it('accept no session cookie when the floor page is not served', async () => {
    const withPage = floorApp();
    const cookie = await signedIn(withPage.app);
    const withoutPage = floorApp({ app: { floor: undefined } });
    await request(withoutPage.app).get('/agents').set('cookie', cookie).expect(401);
    await request(withoutPage.app).get('/agents').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
  });
});

describe('what the page is made of', () => {
  it('serves every /floor answer with a Content-Security-Policy that allows no inline script and nothing from elsewhere', async () => {
    const { app } = floorApp();
    const cookie = await signedIn(app);
    const answers = await Promise.all([
      request(app).get('/floor'),
      request(app).get('/floor').set('cookie', cookie),
      request(app).get('/floor/assets/floor.js'),
      request(app).get('/floor/state').set('cookie', cookie),
      request(app).post('/floor/sign-in').type('form').send({ token: 'wrong' }),
    ]);
    for (const answer of answers) {
      expect(answer.headers['content-security-policy']).toBe(FLOOR_CSP);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
    const directives = Object.fromEntries(FLOOR_CSP.split('; ').map((directive) => [directive.split(' ')[0], directive.split(' ').slice(1)]));
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(FLOOR_CSP).not.toMatch(/unsafe|https?:|\*/);
  });

  it('has no inline script, style or event handler in its HTML, and its script never writes HTML', async () => {
    const { app } = floorApp();
    const cookie = await signedIn(app);
    for (const html of [(await request(app).get('/floor').set('cookie', cookie)).text, (await request(app).get('/floor')).text]) {
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      for (const tag of scripts) expect(tag).toMatch(/^<script src="\/floor\/assets\/[a-z]+\.js" defer>$/);
      expect(html).not.toMatch(/<script>|<style|\sstyle=|\son[a-z]+=|javascript:/i);
    }
    const script = readFileSync(path.join(PROJECT_ROOT, 'src/api/floor/public/floor.js'), 'utf8');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    expect(script).not.toContain(ADMIN_TOKEN);
  });

  it('serves its script, styles and the chart library itself (no CDN), and nothing else from the assets path', async () => {
    const { app } = floorApp();
    const uplot = await request(app).get('/floor/assets/uplot.js').expect(200).expect('content-type', /javascript/);
    expect(uplot.text).toBe(readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'));
    await request(app).get('/floor/assets/uplot.css').expect(200).expect('content-type', /css/);
    await request(app).get('/floor/assets/floor.css').expect(200).expect('content-type', /css/);
    await request(app).get('/floor/assets/favicon.svg').expect(200).expect('content-type', /svg/);
    for (const probe of ['../router.ts', '..%2Frouter.ts', 'package.json', '%2e%2e%2f%2e%2e%2fpackage.json']) await request(app).get(`/floor/assets/${probe}`).expect(404);
    const page = (await request(app).get('/floor').set('cookie', await signedIn(app))).text;
    expect(page).not.toMatch(/https?:\/\//);
  });
});
