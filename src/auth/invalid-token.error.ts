/** A token that verified cryptographically but breaks this service's claim profile. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}
