import type { SessionGrant } from '../../src/sessions/sessions.service.js';
import type { UserEntity } from '../../src/users/user.entity.js';

/** An argon2id hash as stored (its digest is not of any password: the hasher is faked where it is used). */
export const PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g';
export const SESSION_ID = '5f0c4a8e-3b2d-4e1f-9a7c-1d2e3f4a5b6c';

/** Alice (id 7), an enabled user who never logged in, as the users table holds her. */
export function userEntity(overrides: Partial<UserEntity> = {}): UserEntity {
  return {
    id: 7,
    name: 'Alice',
    nameKey: 'alice',
    nameSkeleton: 'allce',
    passwordHash: PASSWORD_HASH,
    disabled: false,
    roles: ['user'],
    email: null,
    emailKey: null,
    emailVerifiedAt: null,
    emailPending: null,
    lastLoginAt: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...overrides,
  };
}

/** What SessionsService answers to a login or a refresh: Alice's session, for 30 days from now. */
export function sessionGrant(overrides: Partial<SessionGrant> = {}): SessionGrant {
  return {
    userId: 7,
    sessionId: SESSION_ID,
    refreshToken: 'r'.repeat(43),
    expiresAt: new Date(Date.now() + 30 * 86_400_000),
    ...overrides,
  };
}
