import type { Logger } from '../observability/logger';

/**
 * Where express-rate-limit's own complaints go (e.g. X-Forwarded-For arriving while TRUST_PROXY is unset):
 * our log, with the limit they are about, instead of the console.
 */
export function rateLimitLogger(logger: Logger, limit: string) {
  const line = (level: 'warn' | 'error') => (problem: unknown) => {
    const { code, message } = (problem ?? {}) as { code?: string; message?: string };
    logger[level]({ code }, `${limit} rate limit: ${message ?? String(problem)}`);
  };
  return { warn: line('warn'), error: line('error') };
}
