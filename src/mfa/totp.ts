import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';

/** RFC 6238's parameters every authenticator app accepts: 6 digits, 30-second steps, HMAC-SHA-1. */
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD = 30;
const ALGORITHM = 'SHA1';
/** Steps of clock drift accepted either side of now. */
export const TOTP_DRIFT_STEPS = 1;

/** otpauth's Secret over a copy of the bytes (a Buffer may be a view into a larger pool). */
function asSecret(secret: Buffer): Secret {
  return new Secret({ buffer: new Uint8Array(secret).buffer });
}

/** A new secret: 160 bits, the length RFC 4226 recommends for HMAC-SHA-1. */
export function newTotpSecret(): Buffer {
  return Buffer.from(new Secret({ size: 20 }).bytes);
}

export function toBase32(secret: Buffer): string {
  return asSecret(secret).base32;
}

/** The `otpauth://totp/...` URI that authenticator apps read from the QR code. */
export function otpauthUrl(secret: Buffer, issuer: string, account: string): string {
  return new TOTP({
    issuer,
    label: account,
    secret: asSecret(secret),
    algorithm: ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
  }).toString();
}

/** The time step of an instant (RFC 6238's T). */
export function stepAt(now: number): number {
  return TOTP.counter({ period: TOTP_PERIOD, timestamp: now });
}

/** The code of one time step. */
export function codeForStep(secret: Buffer, step: number): string {
  return HOTP.generate({
    secret: asSecret(secret),
    algorithm: ALGORITHM,
    digits: TOTP_DIGITS,
    counter: step,
  });
}

/**
 * The time step whose code `code` is, within TOTP_DRIFT_STEPS of now and after `lastStep` (a code
 * of a step already used is a replay), or null. Every candidate is compared, in constant time.
 */
export function matchTotp(secret: Buffer, code: string, now: number, lastStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) {
    return null;
  }
  const current = stepAt(now);
  let matched: number | null = null;
  for (let step = current - TOTP_DRIFT_STEPS; step <= current + TOTP_DRIFT_STEPS; step++) {
    const equal = timingSafeEqual(Buffer.from(codeForStep(secret, step)), Buffer.from(code));
    if (equal && matched === null && (lastStep === null || step > lastStep)) {
      matched = step;
    }
  }
  return matched;
}
