import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { AppError, ValidationError } from '../shared/errors.js';
import type { Logger } from '../log/logger.js';

const PROBLEM_TYPE_BASE = 'https://wallet-loyalty.dev/problems/';

export function sendProblem(res: Response, status: number, title: string, detail: string, extra: Record<string, unknown> = {}): void {
  res
    .status(status)
    .type('application/problem+json')
    .json({ type: PROBLEM_TYPE_BASE + slug(title), title, status, detail, ...extra });
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/(^-|-$)/g, '');
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, 404, 'Not found', `No route for ${req.method} ${req.path}`);
};

/** The one place where thrown errors become HTTP responses. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof AppError) {
      // A rate limit says when to come back (RFC 9110 Retry-After, in seconds).
      if (err.status === 429 && typeof err.extra.retryAfterSeconds === 'number') res.set('Retry-After', String(err.extra.retryAfterSeconds));
      sendProblem(res, err.status, err.title, err.message, err.extra);
      return;
    }
    // The backstop behind the text schemas: text PostgreSQL cannot store is the client's to fix.
    const code = (err as { code?: unknown } | null)?.code;
    if (code === '22021' || code === '22P05' || code === '22P02') {
      sendProblem(res, 400, 'Invalid request', 'The request holds text the database cannot store (a NUL or an invalid character)');
      return;
    }
    if (err instanceof z.ZodError) {
      const v = fromZod(err);
      sendProblem(res, 400, v.title, v.message, v.extra);
      return;
    }
    // body-parser errors carry a status and a type.
    const e = err as { status?: number; type?: string; message?: string };
    if (e.type === 'entity.too.large') {
      sendProblem(res, 413, 'Request body too large', 'The request body exceeds the limit of 100 KB');
      return;
    }
    if (e.type === 'entity.parse.failed') {
      sendProblem(res, 400, 'Malformed JSON', 'The request body is not valid JSON');
      return;
    }
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      sendProblem(res, 415, 'Unsupported encoding', e.message ?? 'Unsupported body encoding');
      return;
    }
    // Errors from middleware that carry a client-error status (e.g. a static file not found).
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      sendProblem(res, e.status, e.status === 404 ? 'Not found' : 'Bad request', e.status === 404 ? `No resource at ${req.path}` : 'The request was refused');
      return;
    }
    logger.error({ err, method: req.method }, 'unhandled error');
    sendProblem(res, 500, 'Internal error', 'Something went wrong on our side; it has been logged');
  };
}

export function fromZod(error: z.ZodError, prefix = ''): ValidationError {
  return new ValidationError(
    error.issues.map((issue) => ({
      field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
      message: issue.message,
    })),
  );
}
