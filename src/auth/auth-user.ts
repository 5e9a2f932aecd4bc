/** The authenticated caller, as the JWT strategy hands it to handlers. */
export interface AuthUser {
  id: number;
  name: string;
}
