import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { AppError, type ErrorCode } from '../../common/errors.ts';
import { DbError } from '../../db/db-error.ts';

/**
 * Every error answer has this shape (DESIGN: `{"error":"…","details":…}`); `code` is stable for
 * programs, and `reason`, where present, says more precisely what went wrong (common/errors.ts).
 */
export interface ErrorBody {
  error: string;
  code: string;
  reason?: string;
  details?: unknown;
}

export interface HttpError {
  status: number;
  body: ErrorBody;
}

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
};

// Connection-level failures: retrying later can succeed, so they are 503, not 500.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '53300']);

/**
 * SQLSTATE class 22 (data exception) means a value the statement was given cannot be stored:
 * input that edge validation should have refused. A 400 naming the kind of value, never a 500.
 */
const DATA_EXCEPTIONS: Record<string, string> = {
  '22021': 'text must not contain NUL (\\u0000) characters',
  '22P05': 'text must not contain NUL (\\u0000) characters',
  '22001': 'a text value is too long',
  '22003': 'a number is out of range',
  '22007': 'a date or time is not valid',
  '22008': 'a date or time is out of range',
};

type Issue = { path: string; message: string; code?: string };

function issueText(where: string, issues: Issue[]): string {
  const first = issues[0];
  if (!first) return `invalid ${where}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `invalid ${where}: ${first.path === '' ? '' : `${first.path}: `}${first.message}${more}`;
}

/** Maps any thrown value to the HTTP answer. Pure, so the mapping is testable on its own. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof AppError) {
    const body: ErrorBody = { error: err.message, code: err.code };
    if (err.reason !== undefined) body.reason = err.reason;
    if (err.details !== undefined) body.details = err.details;
    return { status: STATUS[err.code], body };
  }

  // Request validation by the zod validator compiler (body, querystring, params, headers).
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as FastifyError).validationContext ?? 'request';
    const issues: Issue[] = err.validation.map((v) => ({
      path: v.instancePath.replace(/^\//, '').replaceAll('/', '.'),
      message: v.message ?? 'invalid',
      code: v.keyword,
    }));
    return { status: 400, body: { error: issueText(where, issues), code: 'validation_failed', details: issues } };
  }
  // zod.parse() of caller input inside a handler.
  if (err instanceof ZodError) {
    const issues: Issue[] = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));
    return { status: 400, body: { error: issueText('request', issues), code: 'validation_failed', details: issues } };
  }

  if (err instanceof DbError) {
    const code = err.code;
    // No SQLSTATE at all means the connection or the embedded worker failed, not the statement.
    if (code === undefined || code.startsWith('08') || UNAVAILABLE_CODES.has(code)) {
      return { status: 503, body: { error: 'database unavailable, try again shortly', code: 'unavailable' } };
    }
    if (code.startsWith('22')) {
      const what = DATA_EXCEPTIONS[code] ?? 'a value is not valid';
      return { status: 400, body: { error: `the request cannot be stored: ${what}`, code: 'validation_failed' } };
    }
    return internal();
  }

  // Fastify's own 4xx: malformed JSON, body too large, wrong content type, …
  const fe = err as Partial<FastifyError> | null;
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      return { status: 413, body: { error: 'request body too large', code: 'payload_too_large' } };
    }
    if (err instanceof SyntaxError || fe?.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return { status: 400, body: { error: `malformed JSON body: ${fe?.message ?? ''}`.trim(), code: 'invalid_json' } };
    }
    if (fe?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return { status: 400, body: { error: 'empty JSON body; send a JSON object', code: 'invalid_json' } };
    }
    if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return { status: 415, body: { error: 'unsupported content type; send application/json', code: 'unsupported_media_type' } };
    }
    // from the router, before any route matched (see frameworkErrors below); the path is not echoed
    if (fe?.code === 'FST_ERR_BAD_URL') {
      return { status: 400, body: { error: 'malformed URL: a path segment has invalid %-encoding', code: 'bad_url' } };
    }
    if (fe?.code === 'FST_ERR_MAX_PARAM_LENGTH') {
      return { status: 414, body: { error: 'a path segment (an id) is too long', code: 'uri_too_long' } };
    }
    return { status, body: { error: fe?.message ?? 'bad request', code: String(fe?.code ?? 'bad_request') } };
  }

  return internal();
}

function internal(): HttpError {
  return { status: 500, body: { error: 'internal error', code: 'internal' } };
}

function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const http = toHttpError(err);
  if (http.status >= 500) {
    // ours to fix: the details go to the log only, never to the caller
    request.log.error({ err, status: http.status }, 'request failed');
  } else if (err instanceof DbError) {
    // a 4xx, but the edge validation let it through to the database: worth a look
    request.log.warn({ status: http.status, reason: http.body.error, sqlstate: err.code }, 'request rejected by the database');
  } else {
    // the reason, without a stack: a bad request is not our fault
    request.log.info({ status: http.status, reason: http.body.error }, 'request rejected');
  }
  if (http.status === 401) void reply.header('WWW-Authenticate', 'Bearer');
  if (http.status === 503) void reply.header('Retry-After', '5');
  return reply.code(http.status).send(http.body);
}

/** Fastify's `frameworkErrors` option: router failures (bad %-encoding, overlong id) in the usual shape. */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void sendError(err, request, reply);
}

/**
 * Fastify's `clientErrorHandler` option: a request Node's HTTP parser refuses (a control
 * character in a header, a body longer than its Content-Length) never reaches a route, but
 * still gets the usual JSON shape before the connection closes.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, body]: [number, string, ErrorBody] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', { error: 'the request took too long to arrive', code: 'timeout' }]
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', { error: 'request headers too large', code: 'headers_too_large' }]
        : [400, 'Bad Request', { error: 'malformed HTTP request', code: 'bad_request' }];
  const json = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy();
}

/** The one place where errors become HTTP answers; also answers unknown routes. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    request.log.info({ status: 404, reason: 'no such route' }, 'request rejected');
    return reply.code(404).send({ error: `no route ${request.method} ${path}`, code: 'not_found' } satisfies ErrorBody);
  });
}
