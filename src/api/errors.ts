import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../observability/logger';

/** An error meant for the HTTP client: a status, a stable code, and a message that is safe to show. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: string;
  readonly httpStatus: number;
  readonly details: unknown;

  constructor(options: { code: string; httpStatus: number; message: string; details?: unknown; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.code = options.code;
    this.httpStatus = options.httpStatus;
    this.details = options.details;
  }
}

/** body-parser's own errors carry `type` and `status`; they are client errors with fixed, data-free messages. */
const BODY_PARSER_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.too.large': { status: 413, code: 'payload_too_large', message: 'request body is too large' },
  'entity.parse.failed': { status: 400, code: 'invalid_json', message: 'request body is not valid JSON' },
  'encoding.unsupported': { status: 415, code: 'unsupported_encoding', message: 'unsupported content encoding' },
  'charset.unsupported': { status: 415, code: 'unsupported_charset', message: 'unsupported charset' },
  'request.aborted': { status: 400, code: 'request_aborted', message: 'request aborted' },
  'request.size.invalid': { status: 400, code: 'invalid_length', message: 'request size did not match content length' },
};

/** The one place errors become HTTP answers: known ones as their 4xx, anything else as a logged 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return;
    if (error instanceof AppError) {
      res.status(error.httpStatus).json({ error: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) });
      return;
    }
    const parserError = typeof error?.type === 'string' ? BODY_PARSER_ERRORS[error.type] : undefined;
    if (parserError) {
      res.status(parserError.status).json({ error: parserError.code, message: parserError.message });
      return;
    }
    if (typeof error?.status === 'number' && error.status >= 400 && error.status < 500) {
      res.status(error.status).json({ error: 'bad_request', message: 'the request could not be processed' });
      return;
    }
    logger.error({ err: { name: error?.name, message: error?.message }, path: req.path, requestId: res.locals.requestId }, 'unhandled error');
    res.status(500).json({ error: 'internal_error', message: 'internal error' });
  };
}
