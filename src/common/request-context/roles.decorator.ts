import { SetMetadata } from '@nestjs/common';
import type { Role } from './role.js';

export const ROLES_KEY = 'roles';

/**
 * Limits a route or a whole controller to callers holding one of `roles`, as RolesGuard checks
 * them against the caller's current account (not the token), after JwtAuthGuard.
 */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
