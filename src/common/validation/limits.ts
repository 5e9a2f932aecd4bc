// The limits of names and passwords, in one place for the DTOs, the token check, the CLI and the
// docs. No imports: anything may use them.

/** The longest account name, in characters. */
export const NAME_MAX_LENGTH = 64;

/** NIST SP 800-63B's minimum for a password a user chooses. */
export const PASSWORD_MIN_LENGTH = 8;

/** argon2 hashes bytes, and a character can be four of them. */
export const PASSWORD_MAX_BYTES = 1024;

/**
 * The largest row id: PostgreSQL's `integer` (the ids' column type there). A larger id in a query
 * is an error there (a 500), not "no such row", so it is refused before any query.
 */
export const ID_MAX = 2_147_483_647;
