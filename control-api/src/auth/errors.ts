/**
 * Errors of the security layer carry the HTTP status and the stable `code` of the CONTRACT
 * error body (`{"error":{"code","message"}}`), so every transport maps them the same way.
 */
export type AuthErrorCode =
  | 'unauthorized'
  | 'invalid-token'
  | 'token-expired'
  | 'token-revoked'
  | 'locked'
  | 'too-many-attempts'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'bad-request';

const STATUS: Record<AuthErrorCode, number> = {
  unauthorized: 401,
  'invalid-token': 401,
  'token-expired': 401,
  'token-revoked': 401,
  locked: 423,
  'too-many-attempts': 429,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'bad-request': 400,
};

export class AuthError extends Error {
  readonly status: number;
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** Seconds a client should wait (Retry-After) for locked / too-many-attempts. */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'AuthError';
    this.status = STATUS[code];
  }
}
