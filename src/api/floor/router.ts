import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import type { Request, Response, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { PROJECT_ROOT } from '../../config/paths';
import type { Logger } from '../../observability/logger';
import { constantTimeEqual } from '../../vapi/webhook-auth';
import { AppError } from '../errors';
import { requireAdmin } from '../operator/admin-auth';
import { rateLimitLogger } from '../rate-limit-log';
import type { FloorFeed } from './feed';
import { FLOOR_CSP, floorPage, signInPage } from './pages';
import type { FloorSessions } from './session';
import { SESSION_COOKIE, clearSessionCookie, cookieOf, fromThisOrigin, setSessionCookie } from './session';

/** A wrong token is answered this late: guessing costs time even within the per-address limit. */
export const WRONG_TOKEN_DELAY_MS = 1_000;
/** Wrong tokens one address may try per SIGN_IN_WINDOW_MS before it is refused (429) without a look. */
export const SIGN_IN_ATTEMPTS = 10;
export const SIGN_IN_WINDOW_MS = 15 * 60_000;

export interface FloorPageDeps {
  adminToken: string | undefined;
  /** Absent when ADMIN_TOKEN is unset: nobody can sign in. */
  sessions: FloorSessions | undefined;
  feed: FloorFeed;
  logger: Logger;
  wrongTokenDelayMs?: number;
  signInAttempts?: number;
}

const PUBLIC = path.join(PROJECT_ROOT, 'src', 'api', 'floor', 'public');

/** The page's script and styles and the chart library, all served from here (no CDN: closed networks). */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  'floor.js': { file: () => path.join(PUBLIC, 'floor.js'), type: 'text/javascript; charset=utf-8' },
  'floor.css': { file: () => path.join(PUBLIC, 'floor.css'), type: 'text/css; charset=utf-8' },
  'favicon.svg': { file: () => path.join(PUBLIC, 'favicon.svg'), type: 'image/svg+xml' },
  'uplot.js': { file: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uplot.css': { file: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

function html(res: Response, status: number, body: string): void {
  res.status(status).type('html').send(body);
}

/**
 * `/floor`: a supervisor's live page. Without a session it is a sign-in form that takes the admin token;
 * signing in sets an HttpOnly, SameSite=Strict cookie that the page's stream and the operator endpoints it
 * calls (retry, cancel) accept like the bearer token.
 */
export function floorRouter(deps: FloorPageDeps): Router {
  const router = express.Router();
  const cache = new Map<string, Buffer>();
  const wrongTokenDelayMs = deps.wrongTokenDelayMs ?? WRONG_TOKEN_DELAY_MS;
  const signedIn = (req: Request) => deps.sessions?.valid(cookieOf(req, SESSION_COOKIE)) ?? false;

  router.use('/floor', (_req, res, next) => {
    res.setHeader('content-security-policy', FLOOR_CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the page's own forms.
    res.setHeader('referrer-policy', 'same-origin');
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    res.setHeader('cache-control', 'no-store');
    next();
  });

  router.get('/floor', (req, res) => {
    if (!deps.sessions) return html(res, 200, signInPage('disabled'));
    html(res, 200, signedIn(req) ? floorPage() : signInPage());
  });

  router.get('/floor/assets/:name', (req, res) => {
    const asset = ASSETS[String(req.params.name)];
    if (!asset) throw new AppError({ httpStatus: 404, code: 'not_found', message: 'no such file' });
    let body = cache.get(req.params.name as string);
    if (!body) {
      body = readFileSync(asset.file());
      cache.set(req.params.name as string, body);
    }
    res.setHeader('cache-control', 'no-cache');
    res.type(asset.type).send(body);
  });

  router.post(
    '/floor/sign-in',
    rateLimit({
      windowMs: SIGN_IN_WINDOW_MS,
      limit: deps.signInAttempts ?? SIGN_IN_ATTEMPTS,
      // Only wrong tokens count: a supervisor who signs in again and again is never locked out.
      skipSuccessfulRequests: true,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      logger: rateLimitLogger(deps.logger, 'floor sign-in'),
      handler: (_req, res) => {
        deps.logger.warn({ requestId: res.locals.requestId }, 'floor sign-in refused: too many wrong tokens from this address');
        html(res, 429, signInPage('too-many'));
      },
    }),
    express.urlencoded({ extended: false, limit: '4kb' }),
    async (req, res) => {
      // A sign-in posted by another site's page (login CSRF) is refused; a form of this page, or a client
      // that sends no Origin at all (curl), is not.
      if (req.header('origin') !== undefined && !fromThisOrigin(req)) {
        throw new AppError({ httpStatus: 403, code: 'cross_origin', message: 'refused: this request did not come from a page of this site' });
      }
      const token = typeof req.body?.token === 'string' ? req.body.token : '';
      if (!deps.adminToken || !deps.sessions || !constantTimeEqual(token, deps.adminToken)) {
        // The attempt is logged, never what was typed.
        deps.logger.warn({ requestId: res.locals.requestId }, 'floor sign-in refused: wrong admin token');
        await new Promise((resolve) => setTimeout(resolve, wrongTokenDelayMs));
        return html(res, 401, signInPage(deps.sessions ? 'wrong-token' : 'disabled'));
      }
      const session = deps.sessions.issue();
      setSessionCookie(req, res, session.value, deps.sessions.ttlMs);
      deps.logger.info({ requestId: res.locals.requestId }, 'floor sign-in');
      res.redirect(303, '/floor');
    },
  );

  router.post('/floor/sign-out', (req, res) => {
    if (!fromThisOrigin(req)) throw new AppError({ httpStatus: 403, code: 'cross_origin', message: 'refused: this request did not come from a page of this site' });
    deps.sessions?.revoke(cookieOf(req, SESSION_COOKIE));
    clearSessionCookie(req, res);
    res.redirect(303, '/floor');
  });

  router.get('/floor/state', requireAdmin(deps.adminToken, deps.sessions), async (_req, res) => {
    res.json(await deps.feed.picture());
  });

  router.get('/floor/events', requireAdmin(deps.adminToken, deps.sessions), (req, res) => {
    // The stream lives as long as the page: no idle timeout on its socket.
    req.socket.setTimeout(0);
    deps.feed.subscribe(res);
  });
  return router;
}
