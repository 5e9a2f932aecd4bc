import { InvalidRequestError } from '../common/errors/domain-error.js';
import { ROLES, type Role } from '../common/request-context/role.js';

/** `roles` without repeats, in ROLES' order, so the column reads the same for the same set. */
export function uniqueRoles(roles: readonly Role[]): Role[] {
  const unique = ROLES.filter((role) => roles.includes(role));
  if (unique.length === 0) {
    throw new InvalidRequestError('roles must not be empty');
  }
  return unique;
}
