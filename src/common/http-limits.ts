/** The largest request body accepted (413 above it): a login is a few hundred bytes. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * The largest request head accepted (431 above it): the request line and every header line, as
 * sent. A browser's head is one or two KiB; a bearer token over this is refused, not truncated.
 */
export const HEAD_LIMIT_BYTES = 16 * 1024;

/**
 * The most header fields a request may carry (431 above it). Browsers send about twenty and
 * proxies add a few; Apache's LimitRequestFields defaults to the same 100.
 */
export const HEADER_COUNT_LIMIT = 100;
