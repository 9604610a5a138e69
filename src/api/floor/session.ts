import { createHmac, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { constantTimeEqual } from '../../vapi/webhook-auth';

/** The floor page's session cookie: sent with every same-site request (the page, its stream, the operator endpoints it calls). */
export const SESSION_COOKIE = 'switchboard_floor';

/** How long a sign-in lasts; the page then asks for the token again. */
export const SESSION_TTL_MS = 8 * 3_600_000;

const SESSION_VALUE = /^(\d{13})\.([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{43})$/;

/**
 * Sessions of the floor page, signed with a key derived from ADMIN_TOKEN instead of kept in a table: every API
 * process with the same token accepts them (no sticky load balancing needed), and changing the token ends them
 * all. A sign-out is remembered by the process that served it until the session would have expired anyway.
 */
export class FloorSessions {
  private readonly key: Buffer;
  /** Signed-out session ids and when they would have expired. */
  private readonly revoked = new Map<string, number>();

  constructor(
    adminToken: string,
    private readonly now: () => number = Date.now,
    readonly ttlMs: number = SESSION_TTL_MS,
  ) {
    this.key = createHmac('sha256', adminToken).update('switchboard floor session').digest();
  }

  issue(): { value: string; expiresAt: number } {
    const expiresAt = this.now() + this.ttlMs;
    const body = `${expiresAt}.${randomBytes(18).toString('base64url')}`;
    return { value: `${body}.${this.sign(body)}`, expiresAt };
  }

  /** A session this process would accept: well formed, signed with this token's key, not expired, not signed out. */
  valid(value: string | undefined): boolean {
    const parsed = this.parse(value);
    return parsed !== null && parsed.expiresAt > this.now() && !this.revoked.has(parsed.id);
  }

  revoke(value: string | undefined): void {
    const parsed = this.parse(value);
    if (!parsed) return;
    const now = this.now();
    for (const [id, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(id);
    this.revoked.set(parsed.id, parsed.expiresAt);
  }

  private parse(value: string | undefined): { expiresAt: number; id: string } | null {
    const match = value ? SESSION_VALUE.exec(value) : null;
    if (!match) return null;
    const [, expiresAt, id, signature] = match as unknown as [string, string, string, string];
    return constantTimeEqual(signature, this.sign(`${expiresAt}.${id}`)) ? { expiresAt: Number(expiresAt), id } : null;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** One cookie's value from the request's Cookie header (no parser middleware: this is the only cookie). */
export function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/**
 * HttpOnly (no script reads it), SameSite=Strict (no other site's page makes the browser send it), Secure
 * when the page came over HTTPS — directly or, with TRUST_PROXY, as the proxy says (`X-Forwarded-Proto`).
 */
export function setSessionCookie(req: Request, res: Response, value: string, maxAgeMs: number): void {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`, ...(req.secure ? ['Secure'] : [])];
  res.append('set-cookie', `${SESSION_COOKIE}=${value}; ${attributes.join('; ')}`);
}

export function clearSessionCookie(req: Request, res: Response): void {
  setSessionCookie(req, res, '', 0);
}

/**
 * A state-changing request made with the session cookie must come from a page of this very origin: its
 * `Origin` header (every current browser sends one with a POST) names this scheme, host and port. SameSite
 * already keeps the cookie off cross-site requests; this also refuses same-site pages of another origin.
 */
export function fromThisOrigin(req: Request): boolean {
  const origin = req.header('origin');
  return origin !== undefined && origin === `${req.protocol}://${req.host}`;
}
