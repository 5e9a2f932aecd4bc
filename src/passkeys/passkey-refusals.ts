/** Why a WebAuthn answer failed, for the audit line and (registration) the caller. */
export type Refusal =
  | 'origin'
  | 'rp_id'
  | 'user_verification'
  | 'user_presence'
  | 'challenge'
  | 'signature'
  | 'malformed'
  | 'unknown_credential'
  | 'user_handle'
  | 'counter'
  | 'disabled'
  | 'public_key';

/** What each refusal of a registration tells the caller, in our words (never the library's). */
export const REGISTRATION_MESSAGES: Partial<Record<Refusal, string>> = {
  origin: 'the passkey was made on another origin (WEBAUTHN_ORIGIN)',
  rp_id: 'the passkey was made for another relying party (WEBAUTHN_RP_ID)',
  user_verification: 'the authenticator did not verify the user (a PIN or biometric is required)',
  user_presence: 'the authenticator did not check that the user is present',
  challenge: 'the passkey answers another challenge',
};

/** Sorts @simplewebauthn/server's error text into our reasons; its text itself goes nowhere. */
export function refusalOf(error: unknown): Refusal {
  const message = error instanceof Error ? error.message : '';
  if (/origin/i.test(message)) {
    return 'origin';
  }
  if (/RP ?ID/i.test(message)) {
    return 'rp_id';
  }
  if (/user verification/i.test(message)) {
    return 'user_verification';
  }
  if (/not present/i.test(message)) {
    return 'user_presence';
  }
  return /challenge/i.test(message) ? 'challenge' : 'malformed';
}
