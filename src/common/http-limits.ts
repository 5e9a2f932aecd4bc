/** The largest request body accepted (413 above it): a login is a few hundred bytes. */
export const BODY_LIMIT_BYTES = 16 * 1024;
