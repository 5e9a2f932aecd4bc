/** The authenticated caller, as the JWT strategy hands it to handlers. */
export interface AuthUser {
  id: number;
  name: string;
  /** The session the access token was issued for (its `sid` claim). */
  sessionId: string;
}
