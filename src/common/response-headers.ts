/**
 * An exception that needs headers on its answer (a 401's WWW-Authenticate, a 429's Retry-After).
 * The exception filter writes them without knowing the exception's class.
 */
export interface CarriesResponseHeaders {
  readonly responseHeaders: Readonly<Record<string, string>>;
}

export function carriesResponseHeaders(error: unknown): error is CarriesResponseHeaders {
  const headers = (error as Partial<CarriesResponseHeaders> | null | undefined)?.responseHeaders;
  return typeof headers === 'object' && headers !== null;
}
