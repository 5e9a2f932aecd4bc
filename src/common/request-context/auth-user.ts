import type { Role } from './role.js';

/** The authenticated caller, as the JWT strategy hands it to handlers. */
export interface AuthUser {
  id: number;
  name: string;
  /** The account's roles now (the user store's, not the token's): what RolesGuard checks. */
  roles: readonly Role[];
  /** The session the access token was issued for (its `sid` claim). */
  sessionId: string;
}
