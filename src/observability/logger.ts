import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/**
 * Paths that may carry personal data or capabilities. Log calls pass ids, never these, but redaction is the
 * net under that rule.
 */
export const REDACTED_PATHS = [
  'controlUrl',
  '*.controlUrl',
  'callerNumber',
  '*.callerNumber',
  'callerWords',
  '*.callerWords',
  'number',
  '*.number',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'secret',
  '*.secret',
  'transcript',
  '*.transcript',
];

/**
 * JSON lines to stdout, written asynchronously: a synchronous write per line blocked the event loop on
 * every webhook (a tenth of the API's CPU under load). Lines are batched only while a write is in flight,
 * and pino flushes what is left when the process exits.
 */
export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'switchboard',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
