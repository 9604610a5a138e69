/**
 * The floor's HTML: fixed markup with no value of the request, the floor or the caller in it (the page's
 * script fills everything in as text), no inline script or style, so the Content-Security-Policy below can
 * forbid both.
 */

/** Only files served by Switchboard; no inline script or style, no other origin, no framing. */
export const FLOOR_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

function page(title: string, body: string, scripts: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="/floor/assets/favicon.svg" type="image/svg+xml">
${scripts ? '<link rel="stylesheet" href="/floor/assets/uplot.css">\n' : ''}<link rel="stylesheet" href="/floor/assets/floor.css">
${scripts ? '<script src="/floor/assets/uplot.js" defer></script>\n<script src="/floor/assets/floor.js" defer></script>\n' : ''}</head>
<body>
${body}
</body>
</html>
`;
}

/** Why the sign-in form is shown again; each a fixed sentence. */
export type SignInNotice = 'wrong-token' | 'too-many' | 'disabled' | 'signed-out' | null;

const NOTICES: Record<Exclude<SignInNotice, null>, string> = {
  'wrong-token': 'That is not the admin token.',
  'too-many': 'Too many wrong tokens from your address: wait a quarter of an hour before trying again.',
  disabled: 'The floor is shut: ADMIN_TOKEN is not set on this Switchboard.',
  'signed-out': 'Signed out.',
};

export function signInPage(notice: SignInNotice = null): string {
  const alert = notice ? `\n  <p class="notice${notice === 'signed-out' ? '' : ' error'}" role="alert">${NOTICES[notice]}</p>` : '';
  return page(
    'Sign in — Switchboard floor',
    `<main class="sign-in">
  <h1>The floor</h1>
  <p>Sign in with the admin token (<code>ADMIN_TOKEN</code>; <code>npm start</code> prints the one it made).</p>${alert}
  <form method="post" action="/floor/sign-in">
    <label for="token">Admin token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
    <button type="submit">Sign in</button>
  </form>
</main>`,
    false,
  );
}

export function floorPage(): string {
  return page(
    'The floor — Switchboard',
    `<header class="top">
  <h1>The floor</h1>
  <p id="freshness" class="freshness connecting" role="status">Connecting…</p>
  <ul id="parts" class="parts" aria-label="Status of the parts"></ul>
  <form method="post" action="/floor/sign-out" class="sign-out"><button type="submit" id="sign-out">Sign out</button></form>
</header>
<main id="floor" class="floor">
  <section id="agents-section" aria-labelledby="agents-title">
    <h2 id="agents-title">Agents</h2>
    <p id="agent-totals" class="totals"></p>
    <label class="filter">Filter <input id="filter" type="search" placeholder="agent, name, department or state" autocomplete="off"></label>
    <div id="departments" class="departments"></div>
  </section>
  <section id="lines-section" aria-labelledby="lines-title">
    <h2 id="lines-title">Lines</h2>
    <div id="lines"></div>
  </section>
  <section id="transfers-section" aria-labelledby="transfers-title">
    <h2 id="transfers-title">Transfers in flight</h2>
    <div id="in-flight"></div>
    <h2>The last hour</h2>
    <p id="outcome-totals" class="totals"></p>
    <div class="charts">
      <figure><figcaption>Transfers per minute, by outcome</figcaption><div id="chart-outcomes" class="chart"></div></figure>
      <figure><figcaption>Webhook → Vapi took the transfer (ms), per minute</figcaption><div id="chart-latency" class="chart"></div></figure>
    </div>
    <div id="recent"></div>
  </section>
</main>`,
    true,
  );
}
