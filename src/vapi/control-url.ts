import { isIP } from 'node:net';

/**
 * The controlUrl is a capability: whoever can POST to it can move the caller anywhere. A forged webhook must
 * never make Switchboard send a request somewhere else, so every controlUrl passes this guard before a
 * workflow starts, and again before each request goes out.
 */

export type ControlUrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export interface AllowedHost {
  /** Lower-case host, without a leading `*.` for wildcards. */
  host: string;
  wildcard: boolean;
  port: string | undefined;
}

export function parseAllowedHosts(entries: readonly string[]): AllowedHost[] {
  return entries.map((entry) => {
    const trimmed = entry.trim().toLowerCase();
    const wildcard = trimmed.startsWith('*.');
    const rest = wildcard ? trimmed.slice(2) : trimmed;
    // `[::1]:8080`, `host:8080`, `host`
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(rest);
    if (!match || !match[1]) throw new Error(`CONTROL_URL_ALLOWED_HOSTS: cannot read entry "${entry}"`);
    return { host: match[1], wildcard, port: match[2] };
  });
}

function isLoopbackHost(hostname: string): boolean {
  if (LOOPBACK_NAMES.has(hostname)) return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

function hostMatches(allowed: AllowedHost, hostname: string, port: string): boolean {
  if (allowed.port !== undefined && allowed.port !== port) return false;
  if (allowed.wildcard) {
    // `*.vapi.ai` admits `x.vapi.ai` and `a.b.vapi.ai`, not `vapi.ai` and not `evilvapi.ai`.
    return hostname.endsWith(`.${allowed.host}`) && hostname.length > allowed.host.length + 1;
  }
  return hostname === allowed.host;
}

/**
 * Checks a controlUrl for the call `callId`: scheme, no credentials, an allowed host, and the path
 * `/<callId>/control`. Reasons never echo the URL itself.
 */
export function checkControlUrl(raw: string, callId: string, allowedHosts: readonly AllowedHost[]): ControlUrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'controlUrl is not a valid URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'controlUrl must not carry credentials' };
  if (url.search || url.hash) return { ok: false, reason: 'controlUrl must not carry a query or fragment' };
  const hostname = url.hostname.toLowerCase();
  const defaultPort = url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '';
  const port = url.port || defaultPort;
  const allowed = allowedHosts.find((entry) => hostMatches(entry, hostname, port));
  if (!allowed) return { ok: false, reason: 'controlUrl host is not in CONTROL_URL_ALLOWED_HOSTS' };
  if (url.protocol !== 'https:') {
    // Plain http only for a loopback host that was listed by name: the local simulator and tests.
    const loopbackListedByName = url.protocol === 'http:' && !allowed.wildcard && isLoopbackHost(hostname);
    if (!loopbackListedByName) return { ok: false, reason: 'controlUrl must use https' };
  }
  const expectedPath = `/${encodeURIComponent(callId)}/control`;
  if (url.pathname !== expectedPath) {
    return { ok: false, reason: "controlUrl path must be /<call.id>/control for this call" };
  }
  return { ok: true, url };
}

/**
 * Vapi's controlUrl already ends in `/control`; the seed document's code appends it anyway. Append it only
 * when it is missing, so both shapes reach the same endpoint.
 */
export function controlEndpoint(controlUrl: string): string {
  const url = new URL(controlUrl);
  if (!url.pathname.endsWith('/control')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/control`;
  return url.toString();
}

/** For logs: scheme and host only; the path carries the call id and the URL as a whole is a capability. */
export function redactControlUrl(controlUrl: string): string {
  try {
    const url = new URL(controlUrl);
    return `${url.protocol}//${url.host}/…`;
  } catch {
    return '(invalid url)';
  }
}
