/**
 * Who is acting, and from where: what services record on a session, keep when a user acts on
 * their own account, and write on audit lines. Built from the request by @CurrentActor(); the
 * operators' CLI acts as OPERATOR.
 */
export interface Actor {
  /** The request's id (its X-Request-Id and log line); absent outside a request. */
  readonly requestId?: string;
  /** The session of the access token that asked: a user acting on their own account keeps it. */
  readonly sessionId?: string;
  /** The signed-in caller's user id: who an admin action is recorded as done by. */
  readonly userId?: number;
  readonly ip?: string;
  readonly userAgent?: string;
}

/** An operator at the CLI: no request, no session of their own, nothing to keep. */
export const OPERATOR: Actor = Object.freeze({});
