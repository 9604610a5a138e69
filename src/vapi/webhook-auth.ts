import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verifies that a webhook came from Vapi, as Vapi's credentials send it:
 * - bearer: `Authorization: Bearer <secret>`, or the raw secret in a custom header (the legacy `x-vapi-secret`);
 * - hmac: `x-signature` = HMAC over `"<x-timestamp>.<raw body>"`, refused outside a skew window.
 * Every comparison is constant-time; failure reasons never contain the secret or the presented value.
 */
export type WebhookAuthConfig =
  | { mode: 'none' }
  | { mode: 'bearer'; secret: string; headerName?: string }
  | {
      mode: 'hmac';
      secret: string;
      algorithm?: 'sha256' | 'sha512' | 'sha1';
      encoding?: 'hex' | 'base64';
      signatureHeader?: string;
      timestampHeader?: string;
      signaturePrefix?: string;
      maxSkewSeconds?: number;
    };

export type AuthVerdict = { ok: true } | { ok: false; reason: string };

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Equal-length digests first, so neither the length nor the content of the secret leaks through timing. */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const digestA = createHash('sha256').update(a).digest();
  const digestB = createHash('sha256').update(b).digest();
  return timingSafeEqual(digestA, digestB) && Buffer.byteLength(a) === Buffer.byteLength(b);
}

export function verifyWebhook(config: WebhookAuthConfig, headers: Headers, rawBody: Buffer, nowMs = Date.now()): AuthVerdict {
  switch (config.mode) {
    case 'none':
      return { ok: true };
    case 'bearer': {
      const headerName = (config.headerName ?? 'authorization').toLowerCase();
      const presented = header(headers, headerName);
      if (!presented) return { ok: false, reason: `missing ${headerName} header` };
      const expected = headerName === 'authorization' ? `Bearer ${config.secret}` : config.secret;
      return constantTimeEqual(presented.trim(), expected) ? { ok: true } : { ok: false, reason: `invalid ${headerName} header` };
    }
    case 'hmac': {
      const signatureHeader = (config.signatureHeader ?? 'x-signature').toLowerCase();
      const timestampHeader = (config.timestampHeader ?? 'x-timestamp').toLowerCase();
      const signature = header(headers, signatureHeader);
      const timestamp = header(headers, timestampHeader);
      if (!signature) return { ok: false, reason: `missing ${signatureHeader} header` };
      if (!timestamp || !/^\d{1,16}$/.test(timestamp.trim())) return { ok: false, reason: `missing or invalid ${timestampHeader} header` };
      const value = Number(timestamp.trim());
      // Seconds and milliseconds both occur; anything past 1e11 cannot be seconds before the year 5000.
      const timestampMs = value > 1e11 ? value : value * 1000;
      const skewMs = (config.maxSkewSeconds ?? 300) * 1000;
      if (Math.abs(nowMs - timestampMs) > skewMs) return { ok: false, reason: 'stale or future timestamp' };
      const mac = createHmac(config.algorithm ?? 'sha256', config.secret)
        .update(`${timestamp.trim()}.`)
        .update(rawBody)
        .digest(config.encoding ?? 'hex');
      const expected = `${config.signaturePrefix ?? ''}${mac}`;
      return constantTimeEqual(signature.trim(), expected) ? { ok: true } : { ok: false, reason: 'invalid signature' };
    }
  }
}
