import type { RequestHandler } from 'express';
import { constantTimeEqual } from '../../vapi/webhook-auth';
import { AppError } from '../errors';

/** Operator endpoints need `Authorization: Bearer <ADMIN_TOKEN>`; without a configured token they stay shut. */
export function requireAdmin(adminToken: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (!adminToken) {
      next(new AppError({ httpStatus: 401, code: 'unauthorized', message: 'operator endpoints are disabled: set ADMIN_TOKEN' }));
      return;
    }
    const presented = req.header('authorization') ?? '';
    if (!constantTimeEqual(presented, `Bearer ${adminToken}`)) {
      next(new AppError({ httpStatus: 401, code: 'unauthorized', message: 'a valid admin bearer token is required' }));
      return;
    }
    next();
  };
}
