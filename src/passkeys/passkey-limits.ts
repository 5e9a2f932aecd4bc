/** The longest passkey name, in characters once trimmed. */
export const PASSKEY_NAME_MAX_LENGTH = 64;

/** A challengeId is 43 base64url characters (32 random bytes); longer is not ours. */
export const CHALLENGE_ID_MAX_LENGTH = 64;

/** What a passkey is called when its owner names it nothing. */
export const DEFAULT_PASSKEY_NAME = 'Passkey';

/** How many passkeys one account may have: enough for every device, and a bound on the list. */
export const PASSKEYS_PER_USER = 20;

/** How long a ceremony's challenge may be answered. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
