import type { RequestHandler } from 'express';
import { constantTimeEqual } from '../../vapi/webhook-auth';
import { AppError } from '../errors';
import type { FloorSessions } from '../floor/session';
import { SESSION_COOKIE, cookieOf, fromThisOrigin } from '../floor/session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Operator endpoints need `Authorization: Bearer <ADMIN_TOKEN>`, or the floor page's session cookie (`sessions`
 * given); without a configured token they stay shut. A request with the cookie that changes something must
 * come from this origin: a cross-site POST is refused (a bearer token is never sent by a browser on its own,
 * so it needs no such check).
 */
export function requireAdmin(adminToken: string | undefined, sessions?: FloorSessions): RequestHandler {
  return (req, _res, next) => {
    if (!adminToken) {
      next(new AppError({ httpStatus: 401, code: 'unauthorized', message: 'operator endpoints are disabled: set ADMIN_TOKEN' }));
      return;
    }
    const presented = req.header('authorization');
    if (presented !== undefined) {
      if (constantTimeEqual(presented, `Bearer ${adminToken}`)) next();
      else next(new AppError({ httpStatus: 401, code: 'unauthorized', message: 'a valid admin bearer token is required' }));
      return;
    }
    if (!sessions?.valid(cookieOf(req, SESSION_COOKIE))) {
      next(new AppError({ httpStatus: 401, code: 'unauthorized', message: 'a valid admin bearer token is required' }));
      return;
    }
    if (!SAFE_METHODS.has(req.method) && !fromThisOrigin(req)) {
      next(new AppError({ httpStatus: 403, code: 'cross_origin', message: 'refused: this request did not come from a page of this site' }));
      return;
    }
    next();
  };
}
