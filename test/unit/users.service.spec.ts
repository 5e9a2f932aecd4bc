import { beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { LoginAttemptLimiter } from '../../src/throttling/login-attempts.js';
import { TooManyAttemptsError } from '../../src/throttling/too-many-attempts.error.js';
import { PasswordHasher } from '../../src/users/password-hasher.service.js';
import type { UserEntity } from '../../src/users/user.entity.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { NameTakenError } from '../../src/users/name-taken.error.js';
import { LastAdminError, UserNotFoundError, WrongPasswordError } from '../../src/users/users.errors.js';
import { LAST_ADMIN_MESSAGE, UsersService } from '../../src/users/users.service.js';
import { UserCache } from '../../src/users/user-cache.js';
import { LastAdminRule } from '../../src/users/last-admin-rule.js';
import { InstanceEvents, type InstanceEvent } from '../../src/redis/instance-events.js';
import { DatabaseLock } from '../../src/database/database-lock.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { PASSWORD_HASH, SESSION_ID, userEntity } from '../support/entities.js';
import { auditLogStub, mockOf, TRANSACTION, type MockOf } from '../support/mocks.js';
import { OPERATOR } from '../../src/common/request-context/actor.js';
import { AuditLog } from '../../src/logging/audit.js';
import { AccountNotices } from '../../src/users/account-notices.js';
import type { Role } from '../../src/common/request-context/role.js';

const HASH = PASSWORD_HASH;
const SESSION = SESSION_ID;
/** A user changing their own password from SESSION. */
const ACTOR = { requestId: 'request-1', sessionId: SESSION };

const entity = userEntity;
/** A change that records no event of the caller's. */
const NO_EVENT = () => undefined;

describe(UsersService.name, () => {
  let service: UsersService;
  let repository: MockOf<UsersRepository>;
  let sessions: MockOf<SessionsService>;
  let attempts: MockOf<LoginAttemptLimiter>;
  /** The instances' channel (REDIS_URL set): what this service published, and its handlers. */
  let events: {
    published: InstanceEvent[];
    publish: (event: InstanceEvent) => void;
    handlers: Map<string, (event: InstanceEvent) => void>;
    on: (type: string, handler: (event: InstanceEvent) => void) => void;
    resync?: () => void;
    onResync: (handler: () => void) => void;
  };
  let hasher: MockOf<PasswordHasher>;
  let notices: MockOf<AccountNotices>;
  /** The audit log: change() runs at once with TRANSACTION (the repositories are mocks; e2e suites commit). */
  let audit: ReturnType<typeof auditLogStub>;

  beforeEach(async () => {
    repository = mockOf(UsersRepository);
    repository.findById.mockResolvedValue(entity());
    repository.findByName.mockResolvedValue(entity());
    repository.findLookAlike.mockResolvedValue(null);
    repository.rename.mockResolvedValue(true);
    repository.count.mockResolvedValue(1);
    repository.create.mockImplementation((name, passwordHash) =>
      Promise.resolve(entity({ id: 8, name, passwordHash })),
    );
    repository.updatePasswordHash.mockResolvedValue(true);
    repository.update.mockResolvedValue(true);
    repository.recordLogin.mockResolvedValue();
    sessions = mockOf(SessionsService);
    sessions.endIn.mockResolvedValue(['s1', 's2']);
    audit = auditLogStub();
    attempts = mockOf(LoginAttemptLimiter);
    attempts.refuseIfHeld.mockResolvedValue();
    attempts.recordFailure.mockResolvedValue();
    attempts.recordSuccess.mockResolvedValue();
    hasher = mockOf(PasswordHasher);
    notices = mockOf(AccountNotices);
    notices.sendIn.mockResolvedValue();
    hasher.hash.mockResolvedValue('new-hash');
    hasher.verify.mockResolvedValue(true);
    hasher.needsRehash.mockReturnValue(false);
    events = {
      published: [],
      publish: (event) => events.published.push(event),
      handlers: new Map(),
      on: (type, handler) => events.handlers.set(type, handler),
      onResync: (handler) => (events.resync = handler),
    };
    const moduleRef = await Test.createTestingModule({
      providers: [
        { provide: Metrics, useValue: new Metrics() },
        { provide: AuditLog, useValue: audit.log },
        UsersService,
        // The notice a password change queues is the account-mail e2e's.
        { provide: AccountNotices, useValue: notices },
        UserCache,
        LastAdminRule,
        { provide: InstanceEvents, useValue: events },
        { provide: UsersRepository, useValue: repository },
        { provide: PasswordHasher, useValue: hasher },
        { provide: SessionsService, useValue: sessions },
        { provide: LoginAttemptLimiter, useValue: attempts },
        { provide: DatabaseLock, useValue: { run: (_name: string, work: () => Promise<unknown>) => work() } },
        {
          provide: ConfigService,
          useValue: { get: (key: string) => (key === 'durations' ? { userCacheMs: 30_000 } : undefined) },
        },
      ],
    }).compile();
    service = moduleRef.get(UsersService);
  });

  describe('verifyCredentials', () => {
    it('should return the profile, without the hash, for the right password', async () => {
      await expect(service.verifyCredentials('alice', 'right', ACTOR)).resolves.toStrictEqual({
        id: 7,
        name: 'Alice',
      });
      expect(repository.findByName).toHaveBeenCalledWith('alice');
      expect(hasher.verify).toHaveBeenCalledTimes(1);
      expect(hasher.verify).toHaveBeenCalledWith(HASH, 'right');
      expect(repository.updatePasswordHash).not.toHaveBeenCalled();
    });

    it('should return null for an unknown name after verifying against no hash', async () => {
      repository.findByName.mockResolvedValue(null);
      hasher.verify.mockResolvedValue(false);
      await expect(service.verifyCredentials('nobody', 'whatever', ACTOR)).resolves.toBeNull();
      expect(hasher.verify).toHaveBeenCalledTimes(1);
      expect(hasher.verify).toHaveBeenCalledWith(undefined, 'whatever');
    });

    it('should return null for an unknown name even if the hasher said yes', async () => {
      repository.findByName.mockResolvedValue(null);
      await expect(service.verifyCredentials('nobody', 'whatever', ACTOR)).resolves.toBeNull();
      expect(hasher.verify).toHaveBeenCalledTimes(1);
    });

    it('should return null for a wrong password', async () => {
      hasher.verify.mockResolvedValue(false);
      await expect(service.verifyCredentials('alice', 'wrong', ACTOR)).resolves.toBeNull();
      expect(hasher.verify).toHaveBeenCalledTimes(1);
      expect(hasher.verify).toHaveBeenCalledWith(HASH, 'wrong');
    });

    it('should return null for a disabled user with the right password', async () => {
      repository.findByName.mockResolvedValue(entity({ disabled: true }));
      await expect(service.verifyCredentials('alice', 'right', ACTOR)).resolves.toBeNull();
      expect(hasher.verify).toHaveBeenCalledTimes(1);
      expect(hasher.verify).toHaveBeenCalledWith(HASH, 'right');
      expect(repository.updatePasswordHash).not.toHaveBeenCalled();
    });

    it('should store a new hash when the stored one is weaker than the current settings', async () => {
      hasher.needsRehash.mockReturnValue(true);
      await expect(service.verifyCredentials('alice', 'right', ACTOR)).resolves.toStrictEqual({
        id: 7,
        name: 'Alice',
      });
      expect(hasher.needsRehash).toHaveBeenCalledWith(HASH);
      expect(hasher.hash).toHaveBeenCalledWith('right');
      expect(repository.updatePasswordHash).toHaveBeenCalledWith(7, 'new-hash');
    });

    it('should not rehash after a failed login', async () => {
      hasher.needsRehash.mockReturnValue(true);
      hasher.verify.mockResolvedValue(false);
      await expect(service.verifyCredentials('alice', 'wrong', ACTOR)).resolves.toBeNull();
      expect(hasher.hash).not.toHaveBeenCalled();
      expect(repository.updatePasswordHash).not.toHaveBeenCalled();
    });

    it('should refuse a held-back name with 429 before any hashing', async () => {
      attempts.refuseIfHeld.mockRejectedValue(new TooManyAttemptsError(7));
      const attempt = service.verifyCredentials('alice', 'right', ACTOR);
      await expect(attempt).rejects.toBeInstanceOf(TooManyAttemptsError);
      await expect(attempt).rejects.toMatchObject({ retryAfterSeconds: 7, status: 429 });
      expect(attempts.refuseIfHeld).toHaveBeenCalledWith('alice', ACTOR, 'login');
      expect(hasher.verify).not.toHaveBeenCalled();
    });

    it('should count a wrong password, an unknown name and a disabled account as failures', async () => {
      hasher.verify.mockResolvedValueOnce(false);
      await service.verifyCredentials('alice', 'wrong', ACTOR);
      repository.findByName.mockResolvedValueOnce(null);
      hasher.verify.mockResolvedValueOnce(false);
      await service.verifyCredentials('nobody', 'whatever', ACTOR);
      repository.findByName.mockResolvedValueOnce(entity({ disabled: true }));
      await service.verifyCredentials('alice', 'right', ACTOR);
      expect(attempts.recordFailure.mock.calls).toEqual([['alice'], ['nobody'], ['alice']]);
      expect(attempts.recordSuccess).not.toHaveBeenCalled();
    });

    it('should clear the count after the right password', async () => {
      await service.verifyCredentials('Alice', 'right', ACTOR);
      expect(attempts.recordSuccess).toHaveBeenCalledWith('Alice');
      expect(attempts.recordFailure).not.toHaveBeenCalled();
    });
  });

  describe('findActive', () => {
    it('should return the profile of an active user', async () => {
      await expect(service.findActive(7)).resolves.toStrictEqual({ id: 7, name: 'Alice', roles: ['user'] });
      expect(repository.findById).toHaveBeenCalledWith(7);
    });

    it('should ask the repository once for two lookups of the same id', async () => {
      await service.findActive(7);
      await expect(service.findActive(7)).resolves.toStrictEqual({ id: 7, name: 'Alice', roles: ['user'] });
      expect(repository.findById).toHaveBeenCalledTimes(1);
    });

    it('should ask the repository once for two concurrent lookups', async () => {
      const results = await Promise.all([service.findActive(7), service.findActive(7)]);
      expect(results).toStrictEqual([
        { id: 7, name: 'Alice', roles: ['user'] },
        { id: 7, name: 'Alice', roles: ['user'] },
      ]);
      expect(repository.findById).toHaveBeenCalledTimes(1);
    });

    it('should ask again for another id', async () => {
      await service.findActive(7);
      await service.findActive(8);
      expect(repository.findById).toHaveBeenCalledTimes(2);
    });

    it('should return null for a disabled user, and see a re-enabling (by another process) at once', async () => {
      repository.findById.mockResolvedValueOnce(entity({ disabled: true }));
      await expect(service.findActive(7)).resolves.toBeNull();
      repository.findById.mockResolvedValueOnce(entity({ disabled: false }));
      await expect(service.findActive(7)).resolves.toEqual({
        id: 7,
        name: expect.any(String),
        roles: ['user'],
      });
      expect(repository.findById).toHaveBeenCalledTimes(2);
    });

    it('should return null for an unknown id, without caching the miss', async () => {
      repository.findById.mockResolvedValue(null);
      await expect(service.findActive(99)).resolves.toBeNull();
      await expect(service.findActive(99)).resolves.toBeNull();
      expect(repository.findById).toHaveBeenCalledTimes(2);
    });
  });

  describe('create', () => {
    it('should store the hash of the password and return the profile', async () => {
      repository.findByName.mockResolvedValue(null);
      await expect(service.create('Bob', 'password')).resolves.toStrictEqual({ id: 8, name: 'Bob' });
      expect(hasher.hash).toHaveBeenCalledWith('password');
      expect(repository.create).toHaveBeenCalledWith('Bob', 'new-hash', ['user'], TRANSACTION);
    });

    it('should make the new user active at once', async () => {
      repository.findByName.mockResolvedValue(null);
      await service.create('Bob', 'password');
      await expect(service.findActive(8)).resolves.toStrictEqual({ id: 8, name: 'Bob', roles: ['user'] });
      expect(repository.findById).not.toHaveBeenCalled();
    });

    it('should store the name in NFC', async () => {
      repository.findByName.mockResolvedValue(null);
      await service.create('Jose\u0301', 'password');
      expect(repository.create).toHaveBeenCalledWith('Jos\u00e9', 'new-hash', ['user'], TRANSACTION);
    });

    it('should throw NameTakenError (look-alike) for a name that looks like a taken one', async () => {
      repository.findByName.mockResolvedValue(null);
      repository.findLookAlike.mockResolvedValue(entity());
      const attempt = service.create('AIice', 'password');
      await expect(attempt).rejects.toMatchObject({ reason: 'look-alike' });
      await expect(attempt).rejects.toThrow('name looks too much like a taken name');
      expect(repository.create).not.toHaveBeenCalled();
    });

    it('should throw NameTakenError for a taken name', async () => {
      await expect(service.create('alice', 'password')).rejects.toThrow(new NameTakenError());
      await expect(service.create('alice', 'password')).rejects.toBeInstanceOf(NameTakenError);
      expect(repository.create).not.toHaveBeenCalled();
      expect(hasher.hash).not.toHaveBeenCalled();
    });

    it('should pass on the conflict of a name taken while hashing, and cache nothing', async () => {
      repository.findByName.mockResolvedValue(null);
      repository.create.mockRejectedValue(new NameTakenError());
      await expect(service.create('Bob', 'password')).rejects.toBeInstanceOf(NameTakenError);
      repository.findById.mockResolvedValue(null);
      await expect(service.findActive(8)).resolves.toBeNull();
      expect(repository.findById).toHaveBeenCalledWith(8);
    });
  });

  describe('setDisabled', () => {
    it('should end every session of a disabled user in the change, and record it there', async () => {
      await expect(service.setDisabled(7, true)).resolves.toEqual({ sessionsEnded: 2 });
      expect(repository.update).toHaveBeenCalledWith(7, { disabled: true }, TRANSACTION);
      expect(sessions.endIn).toHaveBeenCalledTimes(1);
      expect(sessions.endIn).toHaveBeenCalledWith(TRANSACTION, { userId: 7 }, 'disabled');
      expect(sessions.announceEnded).toHaveBeenCalledWith(['s1', 's2'], 'disabled');
      expect(audit.recorded).toEqual([{ event: 'user.disabled', fields: { userId: 7, sessions: 2 } }]);
    });

    it('should refuse a cached user at once after disabling', async () => {
      await expect(service.findActive(7)).resolves.toStrictEqual({ id: 7, name: 'Alice', roles: ['user'] });
      repository.findById.mockResolvedValue(entity({ disabled: true }));
      await service.setDisabled(7, true);
      await expect(service.findActive(7)).resolves.toBeNull();
      // The cached lookup, the last-admin check's read, then the lookup after the disable.
      expect(repository.findById).toHaveBeenCalledTimes(3);
    });

    it('should accept a re-enabled user at once without ending sessions', async () => {
      repository.findById.mockResolvedValue(entity({ disabled: true }));
      await expect(service.findActive(7)).resolves.toBeNull();
      repository.findById.mockResolvedValue(entity());
      await service.setDisabled(7, false);
      expect(repository.update).toHaveBeenCalledWith(7, { disabled: false }, TRANSACTION);
      await expect(service.findActive(7)).resolves.toStrictEqual({ id: 7, name: 'Alice', roles: ['user'] });
      expect(sessions.endIn).not.toHaveBeenCalled();
      expect(audit.recorded).toEqual([]);
    });

    it('should throw UserNotFoundError (404) for an unknown user and end nothing', async () => {
      repository.update.mockResolvedValue(false);
      await expect(service.setDisabled(99, true)).rejects.toMatchObject({
        status: 404,
        code: 'user_not_found',
        message: 'user not found',
      });
      expect(sessions.endIn).not.toHaveBeenCalled();
      expect(audit.recorded).toEqual([]);
    });
  });

  describe('changePassword', () => {
    it('should store the hash of the new password and end every other session', async () => {
      await service.changePassword(7, 'old-password', 'new-password', ACTOR);
      expect(hasher.verify).toHaveBeenCalledWith(HASH, 'old-password');
      expect(hasher.hash).toHaveBeenCalledWith('new-password');
      expect(repository.updatePasswordHash).toHaveBeenCalledWith(7, 'new-hash', TRANSACTION);
      expect(sessions.endIn).toHaveBeenCalledWith(TRANSACTION, { userId: 7, keep: SESSION }, 'password');
      expect(sessions.announceEnded).toHaveBeenCalledWith(['s1', 's2'], 'password');
      expect(audit.recorded).toEqual([{ event: 'password.changed', fields: { userId: 7, sessions: 2 } }]);
    });

    it('should refuse a wrong current password and change nothing', async () => {
      hasher.verify.mockResolvedValue(false);
      const attempt = service.changePassword(7, 'wrong', 'new-password', ACTOR);
      await expect(attempt).rejects.toBeInstanceOf(WrongPasswordError);
      await expect(attempt).rejects.toThrow('currentPassword is wrong');
      expect(hasher.hash).not.toHaveBeenCalled();
      expect(repository.updatePasswordHash).not.toHaveBeenCalled();
      expect(sessions.endIn).not.toHaveBeenCalled();
    });

    it('should count a wrong current password toward the account hold, under its own name', async () => {
      hasher.verify.mockResolvedValue(false);
      await expect(service.changePassword(7, 'wrong', 'new-password', ACTOR)).rejects.toThrow(
        'currentPassword is wrong',
      );
      expect(attempts.recordFailure).toHaveBeenCalledWith('Alice');
    });

    it('should refuse with 429 before hashing while the account is held back, as login does', async () => {
      attempts.refuseIfHeld.mockRejectedValue(new TooManyAttemptsError(30));
      const attempt = service.changePassword(7, 'old-password', 'new-password', ACTOR);
      await expect(attempt).rejects.toBeInstanceOf(TooManyAttemptsError);
      await expect(attempt).rejects.toMatchObject({ retryAfterSeconds: 30, status: 429 });
      expect(attempts.refuseIfHeld).toHaveBeenCalledWith('Alice', ACTOR, 'password_change');
      expect(hasher.verify).not.toHaveBeenCalled();
      expect(repository.updatePasswordHash).not.toHaveBeenCalled();
    });

    it('should clear the count after the right current password', async () => {
      await service.changePassword(7, 'old-password', 'new-password', ACTOR);
      expect(attempts.recordSuccess).toHaveBeenCalledWith('Alice');
    });

    it('should refuse an unknown user and change nothing', async () => {
      repository.findById.mockResolvedValue(null);
      await expect(service.changePassword(99, 'old-password', 'new-password', ACTOR)).rejects.toThrow(
        new WrongPasswordError('currentPassword'),
      );
      expect(repository.updatePasswordHash).not.toHaveBeenCalled();
      expect(sessions.endIn).not.toHaveBeenCalled();
    });
  });

  describe('setPassword', () => {
    it('should store the new hash and end every session when none is kept', async () => {
      await service.setPassword(7, 'new-password');
      expect(hasher.verify).not.toHaveBeenCalled();
      expect(repository.updatePasswordHash).toHaveBeenCalledWith(7, 'new-hash', TRANSACTION);
      expect(sessions.endIn).toHaveBeenCalledWith(TRANSACTION, { userId: 7, keep: undefined }, 'password');
    });

    it("should queue the owner's notice in the change's transaction, and nudge delivery once committed", async () => {
      await service.setPassword(7, 'new-password');
      expect(notices.sendIn).toHaveBeenCalledWith(TRANSACTION, 7, 'passwordChanged');
      expect(notices.committed).toHaveBeenCalled();
    });

    it('should store the new hash before ending sessions, so no login with the old one slips in between', async () => {
      await service.setPassword(7, 'new-password');
      expect(repository.updatePasswordHash.mock.invocationCallOrder[0]).toBeLessThan(
        sessions.endIn.mock.invocationCallOrder[0],
      );
    });
  });

  describe('findByName', () => {
    it('should return the summary, without the hash', async () => {
      await expect(service.findByName('alice')).resolves.toStrictEqual({
        id: 7,
        name: 'Alice',
        roles: ['user'],
        disabled: false,
        createdAt: new Date(0),
        lastLoginAt: null,
        email: null,
        emailVerified: false,
      });
      expect(repository.findByName).toHaveBeenCalledWith('alice');
    });

    it('should return null for an unknown name', async () => {
      repository.findByName.mockResolvedValue(null);
      await expect(service.findByName('nobody')).resolves.toBeNull();
    });
  });

  describe('count', () => {
    it('should return the number of stored users', async () => {
      await expect(service.count()).resolves.toBe(1);
    });
  });

  describe('rename', () => {
    it('should store the new name in NFC and forget the cached profile', async () => {
      await service.findActive(7);
      repository.findByName.mockResolvedValue(null);
      await expect(service.rename(7, 'Jose\u0301')).resolves.toStrictEqual({ id: 7, name: 'Jos\u00e9' });
      expect(repository.rename).toHaveBeenCalledWith(7, 'Jos\u00e9', TRANSACTION);
      expect(audit.recorded).toEqual([{ event: 'user.renamed', fields: { userId: 7 } }]);
      await service.findActive(7);
      expect(repository.findById).toHaveBeenCalledTimes(2);
    });

    it('should let an account keep a name, or a look-alike, of its own', async () => {
      repository.findLookAlike.mockResolvedValue(entity());
      await expect(service.rename(7, 'ALICE')).resolves.toStrictEqual({ id: 7, name: 'ALICE' });
    });

    it("should refuse another account's name or look-alike", async () => {
      repository.findByName.mockResolvedValue(entity({ id: 9 }));
      await expect(service.rename(7, 'bob')).rejects.toMatchObject({ reason: 'taken' });
      repository.findByName.mockResolvedValue(null);
      repository.findLookAlike.mockResolvedValue(entity({ id: 9 }));
      await expect(service.rename(7, 'b0b')).rejects.toMatchObject({ reason: 'look-alike' });
      expect(repository.rename).not.toHaveBeenCalled();
    });

    it('should throw UserNotFoundError (404) for an unknown user', async () => {
      repository.findByName.mockResolvedValue(null);
      repository.rename.mockResolvedValue(false);
      await expect(service.rename(99, 'carol')).rejects.toMatchObject({
        status: 404,
        code: 'user_not_found',
        message: 'user not found',
      });
    });
  });

  describe('with other instances (REDIS_URL)', () => {
    const changed = (userId: number) =>
      events.handlers.get('user.changed')?.({ type: 'user.changed', userId });

    it('should tell the other instances of a disabled, re-enabled or renamed user', async () => {
      await service.setDisabled(7, true);
      await service.setDisabled(7, false);
      await service.rename(7, 'Alicia');
      expect(events.published).toEqual(Array(3).fill({ type: 'user.changed', userId: 7 }));
    });

    it('should forget a user another instance changed, and look them up again', async () => {
      await service.findActive(7);
      repository.findById.mockResolvedValue(entity({ name: 'Alicia' }));
      changed(8);
      await expect(service.findActive(7)).resolves.toStrictEqual({ id: 7, name: 'Alice', roles: ['user'] });
      changed(7);
      await expect(service.findActive(7)).resolves.toStrictEqual({ id: 7, name: 'Alicia', roles: ['user'] });
      expect(repository.findById).toHaveBeenCalledTimes(2);
    });

    it('should forget every cached user after a resync (messages may have been missed)', async () => {
      await service.findActive(7);
      events.resync?.();
      await service.findActive(7);
      expect(repository.findById).toHaveBeenCalledTimes(2);
    });
  });

  describe('the last enabled admin', () => {
    const admin = (overrides: Partial<UserEntity> = {}) => entity({ roles: ['admin'], ...overrides });
    /** The roles alone, as PATCH /admin/users/:id {roles} asks. */
    const setRoles = (id: number, roles: Role[]) => service.update(id, { roles }, OPERATOR, NO_EVENT);
    const remove = (id: number) => service.delete(id, OPERATOR, NO_EVENT);

    beforeEach(() => {
      repository.findById.mockResolvedValue(admin());
      repository.countEnabledAdmins.mockResolvedValue(1);
      repository.delete.mockResolvedValue(true);
    });

    it('should not lose admin through a change of several fields: 409, no field written', async () => {
      // Keeping admin in roles does not make the disable beside it pass, nor get written alone.
      await expect(
        service.update(7, { roles: ['admin'], disabled: true }, OPERATOR, NO_EVENT),
      ).rejects.toThrow(LAST_ADMIN_MESSAGE);
      expect(repository.update).not.toHaveBeenCalled();
      expect(sessions.endIn).not.toHaveBeenCalled();
      expect(audit.log.change).not.toHaveBeenCalled();
    });

    it('should write every field of a change in one repository call, then end the sessions of a disable', async () => {
      repository.countEnabledAdmins.mockResolvedValue(2);
      await expect(
        service.update(
          7,
          { roles: ['user', 'admin', 'user'] as never, disabled: true },
          OPERATOR,
          ({ roles, sessionsEnded }) => ({
            event: 'admin.user.updated',
            fields: { roles: roles?.join(','), sessions: sessionsEnded },
          }),
        ),
      ).resolves.toEqual({ sessionsEnded: 2 });
      expect(repository.update).toHaveBeenCalledTimes(1);
      expect(repository.update).toHaveBeenCalledWith(
        7,
        { roles: ['admin', 'user'], disabled: true },
        TRANSACTION,
      );
      expect(sessions.endIn).toHaveBeenCalledWith(TRANSACTION, { userId: 7 }, 'disabled');
      expect(sessions.announceEnded).toHaveBeenCalledWith(['s1', 's2'], 'disabled');
      expect(audit.recorded).toEqual([
        { event: 'admin.user.updated', fields: { roles: 'admin,user', sessions: 2 } },
      ]);
    });

    it("should store the caller's event in the change's transaction, and announce nothing if it fails", async () => {
      repository.countEnabledAdmins.mockResolvedValue(2);
      audit.log.change.mockImplementationOnce((_actor, work) =>
        work(TRANSACTION, () => Promise.reject(new Error('the audit row could not be stored'))),
      );
      await expect(
        service.update(7, { roles: ['admin'], disabled: true }, OPERATOR, () => ({
          event: 'admin.user.updated',
          fields: {},
        })),
      ).rejects.toThrow('the audit row could not be stored');
      expect(sessions.endIn).toHaveBeenCalledWith(TRANSACTION, { userId: 7 }, 'disabled');
      expect(sessions.announceEnded).not.toHaveBeenCalled();
    });

    it('should not be demoted: 409 saying why, nothing written', async () => {
      await expect(setRoles(7, ['user'])).rejects.toThrow(LAST_ADMIN_MESSAGE);
      await expect(setRoles(7, ['user'])).rejects.toBeInstanceOf(LastAdminError);
      expect(repository.update).not.toHaveBeenCalled();
    });

    it('should not be disabled, and keep their sessions', async () => {
      await expect(service.setDisabled(7, true)).rejects.toThrow(LAST_ADMIN_MESSAGE);
      expect(repository.update).not.toHaveBeenCalled();
      expect(sessions.endIn).not.toHaveBeenCalled();
    });

    it('should not be deleted, and keep their sessions', async () => {
      await expect(remove(7)).rejects.toThrow(LAST_ADMIN_MESSAGE);
      expect(repository.delete).not.toHaveBeenCalled();
      expect(sessions.endIn).not.toHaveBeenCalled();
    });

    it('should keep admin among other roles, or be re-enabled, freely', async () => {
      await expect(setRoles(7, ['user', 'admin'])).resolves.toEqual({ sessionsEnded: 0 });
      await service.setDisabled(7, false);
      expect(repository.update).toHaveBeenCalledWith(7, { roles: ['admin', 'user'] }, TRANSACTION);
      expect(repository.update).toHaveBeenCalledWith(7, { disabled: false }, TRANSACTION);
    });

    it('should be demoted, disabled or deleted once another enabled admin exists', async () => {
      repository.countEnabledAdmins.mockResolvedValue(2);
      await setRoles(7, ['user']);
      await service.setDisabled(7, true);
      await expect(
        service.delete(7, OPERATOR, ({ sessionsEnded }) => ({
          event: 'admin.user.deleted',
          fields: { sessions: sessionsEnded },
        })),
      ).resolves.toEqual({ sessionsEnded: 2 });
      expect(repository.update).toHaveBeenCalledWith(7, { roles: ['user'] }, TRANSACTION);
      expect(repository.update).toHaveBeenCalledWith(7, { disabled: true }, TRANSACTION);
      // The sessions end and the row goes in one transaction, with the event.
      expect(sessions.endIn).toHaveBeenLastCalledWith(TRANSACTION, { userId: 7 }, 'revoked');
      expect(repository.delete).toHaveBeenCalledWith(7, TRANSACTION);
      expect(sessions.announceEnded).toHaveBeenLastCalledWith(['s1', 's2'], 'revoked');
      expect(audit.recorded.at(-1)).toEqual({ event: 'admin.user.deleted', fields: { sessions: 2 } });
    });

    it('should not count against a disabled admin or a plain user', async () => {
      repository.findById.mockResolvedValue(admin({ disabled: true }));
      await remove(7);
      repository.findById.mockResolvedValue(entity());
      await service.setDisabled(7, true);
      expect(repository.countEnabledAdmins).not.toHaveBeenCalled();
    });

    it('should check two concurrent demotions one after the other, so one of them fails', async () => {
      let admins = 2;
      repository.countEnabledAdmins.mockImplementation(() => Promise.resolve(admins));
      repository.update.mockImplementation(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        admins -= 1;
        return true;
      });
      const results = await Promise.allSettled([setRoles(7, ['user']), setRoles(8, ['user'])]);
      expect(results.map((result) => result.status).sort()).toStrictEqual(['fulfilled', 'rejected']);
      expect(admins).toBe(1);
    });

    it('should answer 404 for an unknown id, and record nothing', async () => {
      repository.findById.mockResolvedValue(null);
      await expect(setRoles(99, ['user'])).rejects.toBeInstanceOf(UserNotFoundError);
      await expect(remove(99)).rejects.toBeInstanceOf(UserNotFoundError);
      expect(audit.recorded).toEqual([]);
    });
  });
});
