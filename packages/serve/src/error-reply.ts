// Maps every error a request can meet to an OpenAI-style error reply: our ApiErrors as they are, Fastify's
// schema, JSON, media-type and body-size errors as 400/415/413 naming the field, anything else as a 500.
import type { FastifyError } from 'fastify';
import { ApiError } from './api-error.js';

/** Request bodies larger than this are answered 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** `/messages/0/role` → `messages[0].role`. */
function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .filter((p) => p !== '')
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`), '');
}

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/**
 * A 400 naming the first field that failed the schema. For a field with alternatives (anyOf) every
 * alternative's complaint is listed, except "must be null" (any optional field may be null).
 */
function validationError(issues: ValidationIssue[]): ApiError {
  const first = issues[0];
  const missing = (first.params as { missingProperty?: string }).missingProperty;
  if (missing !== undefined) {
    const field = fieldPath(`${first.instancePath}/${missing}`);
    return new ApiError(400, `${field} is required`, 'invalid_request_error', 'invalid_value', field);
  }
  const field = fieldPath(first.instancePath);
  const complaints = [...new Set(issues.filter((i) => i.instancePath === first.instancePath && i.keyword !== 'anyOf' && i.message !== 'must be null').map((i) => i.message ?? 'is invalid'))];
  if (field === '') return new ApiError(400, 'the body must be a JSON object', 'invalid_request_error', 'invalid_value');
  return new ApiError(400, `${field} ${complaints.join(' or ')}`, 'invalid_request_error', 'invalid_value', field);
}

/** The ApiError for `err`; `internal` is true when it is not a client's mistake (log it). */
export function toApiError(err: unknown): { error: ApiError; internal: boolean } {
  if (err instanceof ApiError) return { error: err, internal: false };
  const e = err as FastifyError;
  if (e.validation !== undefined && e.validation.length > 0) return { error: validationError(e.validation), internal: false };
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { error: new ApiError(415, 'send the body as JSON with content-type: application/json', 'invalid_request_error', 'unsupported_media_type'), internal: false };
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { error: new ApiError(413, `the request body is larger than ${BODY_LIMIT_BYTES.toLocaleString('en-US')} bytes`, 'invalid_request_error', 'body_too_large'), internal: false };
  }
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError) {
    return { error: new ApiError(400, `the body is not valid JSON: ${e.message}`, 'invalid_request_error', 'invalid_json'), internal: false };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { error: new ApiError(e.statusCode, e.message, 'invalid_request_error', e.code ?? null), internal: false };
  }
  return { error: new ApiError(500, `internal error: ${e?.message ?? String(err)}`, 'server_error', 'internal_error'), internal: true };
}
