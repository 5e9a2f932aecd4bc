import { randomUUID } from 'node:crypto';

/** A request id a client or proxy may pass in X-Request-Id; anything else is replaced. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * The id every log line of a request carries and its answer's X-Request-Id: the caller's own
 * X-Request-Id when it is sane, a fresh UUID otherwise (and for requests refused before their
 * headers could be read).
 */
export function requestIdOf(incoming?: string | string[]): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
