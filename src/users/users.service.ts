import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OPERATOR, type Actor } from '../common/request-context/actor.js';
import { normalizeName } from '../common/validation/account-name.js';
import type { Role } from '../common/request-context/role.js';
import { AuditLog, type ChangeEvent } from '../logging/audit.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { LoginAttemptLimiter } from '../throttling/login-attempts.js';
import { LastAdminRule } from './last-admin-rule.js';
import { NameTakenError } from './name-taken.error.js';
import { PasswordHasher } from './password-hasher.service.js';
import { UserCache } from './user-cache.js';
import { uniqueRoles } from './unique-roles.js';
import { AccountNotices } from './account-notices.js';
import {
  toUserProfile,
  toUserSummary,
  type ActiveUser,
  type UserProfile,
  type UserSummary,
} from './user-profile.js';
import type { UserEntity } from './user.entity.js';
import { UsersRepository, type UserPage } from './users.repository.js';
import type { StepUpCheck, StepUpProof } from './step-up.js';
import { UserNotFoundError, WrongPasswordError } from './users.errors.js';

export { LAST_ADMIN_MESSAGE } from './users.errors.js';

/** More of a change, made by another service in its transaction (the admin API's email). */
type AlsoIn = (transaction: EntityManager, userId: number) => Promise<void>;

/** Why a password is being checked: named on the audit line of a failure. */
type PasswordCheck = 'login' | 'password_change' | StepUpCheck;

/**
 * Accounts: credential checks, the "still active?" lookup behind every token (UserCache),
 * creation and the changes operators make (held to LastAdminRule).
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly attempts: LoginAttemptLimiter,
    private readonly cache: UserCache,
    private readonly lastAdmin: LastAdminRule,
    private readonly auditLog: AuditLog,
    private readonly notices: AccountNotices,
  ) {}

  /**
   * The account a name and password belong to, or null. Unknown names, wrong passwords and
   * disabled accounts take the same path and the same hashing work, so neither the answer nor
   * its timing tells them apart. Throws TooManyAttemptsError while the name is held back.
   */
  async verifyCredentials(name: string, password: string, actor: Actor): Promise<UserProfile | null> {
    const user = await this.users.findByName(name);
    // A disabled account's right password is a failure too: same work, same answer, same count.
    const usable = user !== null && !user.disabled;
    if (!(await this.checkPassword(name, user?.passwordHash, password, actor, 'login', usable)) || !usable) {
      return null;
    }
    this.recordLogin(user.id);
    return this.rehashIfWeak(user, password);
  }

  /** A sign-in of the account, by any means (a password, a passkey): its `lastLoginAt`. */
  recordLogin(id: number): void {
    // Not awaited: the login does not wait on a write only the admin API's list reads.
    this.users.recordLogin(id, new Date()).catch(() => undefined);
  }

  /**
   * The one place a password is checked (login, password change, the step-up of every sign-in
   * change). A held-back account name is refused (429, by the limiter) before any hashing,
   * whichever route asks; a failure counts toward its hold (LOGIN_FAILURE_LIMIT) and
   * leaves an audit line; a success clears the count. `name` is the name the hold is kept under:
   * the one typed at login, the account's own for a signed-in user. A right password of an
   * account that may not log in (`usable` false) counts as a failure.
   */
  private async checkPassword(
    name: string,
    hash: string | undefined,
    password: string,
    actor: Actor,
    check: PasswordCheck,
    usable = true,
  ): Promise<boolean> {
    await this.attempts.refuseIfHeld(name, actor, check);
    const matches = (await this.hasher.verify(hash, password)) && usable;
    if (!matches) {
      await this.attempts.recordFailure(name);
      this.auditLog.record(check === 'login' ? 'login.failed' : 'password.check_failed', actor, {
        reason: 'invalid_credentials',
        check: check === 'login' ? undefined : check,
        name,
      });
      return false;
    }
    await this.attempts.recordSuccess(name);
    return true;
  }

  /**
   * The step-up of every change to how an account signs in (docs/security.md#step-up): proof
   * beyond the access token, in the same request. Today every account has a password, checked
   * like every other (held back, counted toward LOGIN_FAILURE_LIMIT, audited with `check`); a
   * wrong one is a 400 naming the field that carried it. Throws, or returns when proven.
   */
  async proveStepUp(id: number, proof: StepUpProof, actor: Actor, check: StepUpCheck): Promise<void> {
    const user = await this.users.findById(id);
    if (
      user === null ||
      !(await this.checkPassword(user.name, user.passwordHash, proof.password, actor, check))
    ) {
      throw new WrongPasswordError(proof.field);
    }
  }

  /** Upgrades a stored hash made with weaker settings, now that the password is known. */
  private async rehashIfWeak(user: UserEntity, password: string): Promise<UserProfile> {
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.updatePasswordHash(user.id, await this.hasher.hash(password));
    }
    return toUserProfile(user);
  }

  /** The user a verified token names, with their current roles, if it still exists and is enabled. */
  async findActive(id: number): Promise<ActiveUser | null> {
    return this.cache.findActive(id);
  }

  /** findActive's answer when the cache has it now, without waiting; undefined when it has not. */
  cachedActive(id: number): ActiveUser | undefined {
    return this.cache.cachedActive(id);
  }

  /**
   * Creates an account, its name stored in NFC, and records `event` (if given) in the same
   * transaction. The caller has held the name to the name policy (accountNameProblem); throws
   * NameTakenError when the name, or a look-alike, is taken.
   */
  async create(
    name: string,
    password: string,
    roles: readonly Role[] = ['user'],
    actor: Actor = OPERATOR,
    event: ChangeEvent<UserSummary> = () => undefined,
    alsoIn: AlsoIn = () => Promise.resolve(),
  ): Promise<UserProfile> {
    const normalized = normalizeName(name);
    await this.assertNameFree(normalized);
    const hash = await this.hasher.hash(password);
    // A concurrent sign-up may take the name while this one hashed: the unique indexes decide.
    const user = await this.auditLog.change(actor, async (transaction, record) => {
      const created = await this.users.create(normalized, hash, uniqueRoles(roles), transaction);
      await alsoIn(transaction, created.id);
      await record(event(toUserSummary(created)));
      return created;
    });
    this.cache.remember(user);
    return toUserProfile(user);
  }

  /**
   * Gives an account a new name (the caller has held it to the name policy): how an operator
   * mends a name from before the policy. Throws UserNotFoundError or NameTakenError.
   */
  async rename(id: number, name: string, actor: Actor = OPERATOR): Promise<UserProfile> {
    const normalized = normalizeName(name);
    await this.assertNameFree(normalized, id);
    await this.auditLog.change(actor, async (transaction, record) => {
      if (!(await this.users.rename(id, normalized, transaction))) {
        throw new UserNotFoundError();
      }
      await record('user.renamed', { userId: id });
    });
    this.cache.changed(id);
    return { id, name: normalized };
  }

  /** Throws NameTakenError when another account (not `self`) has the name or a look-alike. */
  async assertNameFree(name: string, self?: number): Promise<void> {
    const taken = await this.users.findByName(name);
    if (taken !== null && taken.id !== self) {
      throw new NameTakenError('taken');
    }
    const lookAlike = await this.users.findLookAlike(name);
    if (lookAlike !== null && lookAlike.id !== self) {
      throw new NameTakenError('look-alike');
    }
  }

  /**
   * Disables or re-enables an account; disabling ends its sessions and refuses its tokens at once,
   * and records `user.disabled`. Throws UserNotFoundError, or LastAdminError (the last admin).
   */
  setDisabled(id: number, disabled: boolean, actor: Actor = OPERATOR): Promise<{ sessionsEnded: number }> {
    return this.update(id, { disabled }, actor, ({ sessionsEnded }) =>
      disabled ? { event: 'user.disabled', fields: { userId: id, sessions: sessionsEnded } } : undefined,
    );
  }

  /**
   * Applies roles and the disabled flag together, checked once against the last-admin rule with
   * both in effect, in one transaction with what goes with them: the UPDATE of the row, the end of
   * the account's sessions when it is disabled, and the caller's `event` (given the roles written
   * and the sessions ended). All of it commits or none of it does. Every instance learns of the
   * ended sessions once it has committed. Throws UserNotFoundError, or LastAdminError for the
   * last enabled admin.
   */
  async update(
    id: number,
    change: { disabled?: boolean; roles?: readonly Role[] },
    actor: Actor,
    event: ChangeEvent<{ roles?: Role[]; sessionsEnded: number }>,
    alsoIn: AlsoIn = () => Promise.resolve(),
  ): Promise<{ sessionsEnded: number }> {
    const roles = change.roles === undefined ? undefined : uniqueRoles(change.roles);
    const fields = { roles, disabled: change.disabled };
    let ended: string[] = [];
    const changed = await this.lastAdmin.keepingAnAdmin(id, fields, () =>
      this.auditLog.change(actor, async (transaction, record) => {
        if (!(await this.users.update(id, fields, transaction))) {
          return false;
        }
        await alsoIn(transaction, id);
        ended =
          change.disabled === true ? await this.sessions.endIn(transaction, { userId: id }, 'disabled') : [];
        await record(event({ roles, sessionsEnded: ended.length }));
        return true;
      }),
    );
    if (!changed) {
      throw new UserNotFoundError();
    }
    this.cache.changed(id);
    this.sessions.announceEnded(ended, 'disabled');
    return { sessionsEnded: ended.length };
  }

  /**
   * Deletes an account with its sessions, and records `event`, in one transaction; every instance
   * then refuses their tokens. Throws UserNotFoundError, or LastAdminError (the last admin).
   */
  async delete(
    id: number,
    actor: Actor,
    event: ChangeEvent<{ sessionsEnded: number }>,
  ): Promise<{ sessionsEnded: number }> {
    let ended: string[] = [];
    const deleted = await this.lastAdmin.keepingAnAdmin(id, 'deleted', () =>
      this.auditLog.change(actor, async (transaction, record) => {
        ended = await this.sessions.endIn(transaction, { userId: id }, 'revoked');
        if (!(await this.users.delete(id, transaction))) {
          return false;
        }
        await record(event({ sessionsEnded: ended.length }));
        return true;
      }),
    );
    if (!deleted) {
      throw new UserNotFoundError();
    }
    this.cache.changed(id);
    this.sessions.announceEnded(ended, 'revoked');
    return { sessionsEnded: ended.length };
  }

  /** An account as operators see it; throws UserNotFoundError. */
  async get(id: number): Promise<UserSummary> {
    const user = await this.users.findById(id);
    if (user === null) {
      throw new UserNotFoundError();
    }
    return toUserSummary(user);
  }

  /** A page of accounts by id, those whose name starts with `search` (case-insensitively) if given. */
  async page(query: { search?: string; limit: number; afterId?: number }): Promise<UserPage<UserSummary>> {
    const { items, more } = await this.users.page(query);
    return { items: items.map(toUserSummary), more };
  }

  /**
   * Replaces the caller's password after checking the current one, and ends every session of
   * theirs but the one they asked from, so a thief holding another session is out.
   */
  async changePassword(
    id: number,
    currentPassword: string,
    newPassword: string,
    actor: Actor,
  ): Promise<void> {
    const user = await this.users.findById(id);
    if (user === null) {
      throw new WrongPasswordError('currentPassword');
    }
    if (
      !(await this.checkPassword(user.name, user.passwordHash, currentPassword, actor, 'password_change'))
    ) {
      throw new WrongPasswordError('currentPassword');
    }
    await this.setPassword(id, newPassword, actor);
  }

  /**
   * Sets a password without knowing the old one, ending the user's sessions but the actor's own
   * (an operator, the default, has none: all of them end), and records `event` (by default
   * `password.changed`): the new hash, the ended sessions, the event and the owner's notice
   * (to a verified address) commit together.
   */
  async setPassword(
    id: number,
    newPassword: string,
    actor: Actor = OPERATOR,
    event: ChangeEvent<{ sessionsEnded: number }> = ({ sessionsEnded }) => ({
      event: 'password.changed',
      fields: { userId: id, sessions: sessionsEnded },
    }),
  ): Promise<{ sessionsEnded: number }> {
    const hash = await this.hasher.hash(newPassword);
    const ended = await this.auditLog.change(actor, async (transaction, record) => {
      if (!(await this.users.updatePasswordHash(id, hash, transaction))) {
        throw new UserNotFoundError();
      }
      const ids = await this.sessions.endIn(transaction, { userId: id, keep: actor.sessionId }, 'password');
      await this.notices.sendIn(transaction, id, 'passwordChanged');
      await record(event({ sessionsEnded: ids.length }));
      return ids;
    });
    this.sessions.announceEnded(ended, 'password');
    this.notices.committed();
    return { sessionsEnded: ended.length };
  }

  async findByName(name: string): Promise<UserSummary | null> {
    const user = await this.users.findByName(name);
    return user === null ? null : toUserSummary(user);
  }

  count(): Promise<number> {
    return this.users.count();
  }
}
