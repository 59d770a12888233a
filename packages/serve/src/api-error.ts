// Errors an HTTP client sees: a status code and OpenAI's error object
// ({"error": {"message", "type", "param", "code"}}), so OpenAI clients raise their usual exception classes.

/** OpenAI's error `type` values that wafer uses. */
export type ApiErrorType = 'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'server_error' | 'not_found_error';

/** An error answered with `status` and an OpenAI-style body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ApiErrorType = 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The JSON body. */
  body(): { error: { message: string; type: ApiErrorType; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** A 400 about one request field. */
export function badField(param: string, message: string, code: string | null = null): ApiError {
  return new ApiError(400, message, 'invalid_request_error', code, param);
}
