/** RFC 5321's limit on a forward path: an address longer than this cannot be delivered. */
export const EMAIL_MAX_BYTES = 254;
const LOCAL_MAX_BYTES = 64;

/** RFC 5322's dot-atom: the characters a bare local part may hold, without quoting. */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** Dot-separated labels of letters, digits and inner hyphens (an IDN in its xn-- form). */
const DOMAIN =
  /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Why `value` is not one bare mail address, or undefined. One address only: no display name, no
 * comment, no list, no quoting and no whitespace or control character anywhere, so an address can
 * never smuggle a header (CR/LF) or a second recipient into a mail. ASCII only (an internationalized
 * domain goes in its xn-- form). The message names `field`, never echoes the value.
 */
export function emailAddressProblem(value: string, field = 'email'): string | undefined {
  if (Buffer.byteLength(value) > EMAIL_MAX_BYTES) {
    return `${field} must be at most ${EMAIL_MAX_BYTES} bytes`;
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    return `${field} must not contain line breaks or control characters`;
  }
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (at < 1 || !LOCAL_PART.test(local) || !DOMAIN.test(domain) || local.length > LOCAL_MAX_BYTES) {
    return `${field} must be one address such as name@example.com (no display name, no list)`;
  }
  return undefined;
}

/**
 * The form addresses are compared in: case-insensitively, the whole address (mail providers in
 * practice ignore case in the local part too). Stored beside the address as typed.
 */
export function emailKey(address: string): string {
  return address.toLowerCase();
}
