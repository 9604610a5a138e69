import { createHmac } from 'node:crypto';
import express from 'express';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { describeIssues } from '../../vapi/messages';
import { constantTimeEqual } from '../../vapi/webhook-auth';
import { AppError } from '../errors';
import { requireAdmin } from '../operator/admin-auth';

export interface CodecDeps {
  /** Null when PAYLOAD_ENCRYPTION_KEYS is unset: payloads pass through unchanged. */
  codec: PayloadCodec | null;
  adminToken: string | undefined;
  /** Origins of Temporal Web UIs allowed to call from the browser. */
  corsOrigins: readonly string[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const base64 = z.string().max(8_000_000).regex(BASE64, 'must be base64');
const payloadsBody = z
  .object({
    payloads: z
      .array(z.object({ metadata: z.record(z.string().max(256), base64).optional(), data: base64.optional() }).strip())
      .max(10_000),
  })
  .strip();

/**
 * The token the Temporal Web UI puts in its codec endpoint URL (`/codec/<token>`), because the dev server's
 * UI cannot send an Authorization header. Derived from ADMIN_TOKEN, so it opens only the codec and reveals
 * nothing of the admin token.
 */
export function codecUrlToken(adminToken: string): string {
  return createHmac('sha256', adminToken).update('switchboard codec endpoint').digest('base64url').slice(0, 32);
}

function fromJson(payload: z.infer<typeof payloadsBody>['payloads'][number]): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

/** Browsers preflight the UI's JSON POSTs; answer only the configured origins, and before any auth check. */
function cors(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.header('origin');
    if (origin && allowed.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      if (!origin || !allowed.has(origin)) {
        next(new AppError({ httpStatus: 403, code: 'origin_not_allowed', message: 'this origin may not call the codec endpoint (CODEC_CORS_ORIGINS)' }));
        return;
      }
      res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
      res.setHeader('access-control-allow-headers', 'content-type, x-namespace, authorization');
      res.setHeader('access-control-max-age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

/** The UI's capability URL: the token in the path stands in for the bearer token. */
function requireCodecToken(adminToken: string | undefined): RequestHandler {
  return (req, _res, next) => {
    const presented = String(req.params.token ?? '');
    if (!adminToken || !constantTimeEqual(presented, codecUrlToken(adminToken))) {
      next(new AppError({ httpStatus: 401, code: 'unauthorized', message: 'invalid codec endpoint token' }));
      return;
    }
    next();
  };
}

/**
 * Temporal's remote codec protocol (`POST <endpoint>/encode|decode` with `{payloads: [...]}` in proto JSON),
 * so the Web UI and `temporal --codec-endpoint` show decrypted payloads to people holding the token.
 */
export function codecRouter(deps: CodecDeps): Router {
  const router = express.Router();
  const handle =
    (direction: 'encode' | 'decode'): RequestHandler =>
    async (req, res) => {
      const body = payloadsBody.safeParse(req.body);
      if (!body.success) throw new AppError({ httpStatus: 400, code: 'invalid_request', message: 'expected {"payloads": [...]}', details: describeIssues(body.error) });
      const payloads = body.data.payloads.map(fromJson);
      let result: Payload[];
      try {
        result = deps.codec ? await deps.codec[direction](payloads) : payloads;
      } catch (error) {
        throw new AppError({ httpStatus: 400, code: 'codec_failed', message: error instanceof Error ? error.message : 'payloads could not be processed' });
      }
      res.setHeader('cache-control', 'no-store');
      res.json({ payloads: result.map(toJson) });
    };
  const json = express.json({ limit: '16mb', type: () => true });
  router.use('/codec', cors(deps.corsOrigins));
  router.post('/codec/encode', requireAdmin(deps.adminToken), json, handle('encode'));
  router.post('/codec/decode', requireAdmin(deps.adminToken), json, handle('decode'));
  router.post('/codec/:token/encode', requireCodecToken(deps.adminToken), json, handle('encode'));
  router.post('/codec/:token/decode', requireCodecToken(deps.adminToken), json, handle('decode'));
  return router;
}
