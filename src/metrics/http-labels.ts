/**
 * The label values of `http_request_duration_seconds`, kept to a fixed, small set whatever
 * clients send: a series per distinct value lives in this process and in Prometheus for good, so
 * a client that could name one (a random path, an invented method) could exhaust both.
 */

export const OTHER_METHOD = 'other';

/** Every value of the `method` label: the methods the service answers, then `OTHER_METHOD` for any other. */
export const METHOD_LABELS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  OTHER_METHOD,
] as const;

const KNOWN_METHODS = new Set<string>(METHOD_LABELS.slice(0, -1));

/** The one route value of every request that matched no route (404, 405, malformed URLs). */
export const UNMATCHED_ROUTE = 'unmatched';

export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : OTHER_METHOD;
}

/**
 * The route's template as registered (`/user/sessions/:id`), never the path asked for; a request
 * that matched none has no template and gets `UNMATCHED_ROUTE`.
 */
export function routeLabel(template: string | undefined): string {
  return template === undefined || template === '' ? UNMATCHED_ROUTE : template;
}
