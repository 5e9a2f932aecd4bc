import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OPERATOR, type Actor } from '../common/request-context/actor.js';
import type { Role } from '../common/request-context/role.js';
import type { AuditFields, AuditRecord } from '../logging/audit.js';
import type { SessionEntity } from '../sessions/session.entity.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { UserSummary } from '../users/user-profile.js';
import { Invites } from '../users/invites.js';
import { UserEmailService } from '../users/user-email.service.js';
import { UsersService } from '../users/users.service.js';

/** Who an audit line records as acting: the signed-in caller's id, or the operators' CLI. */
const actorOf = (actor: Actor): number | 'cli' => actor.userId ?? 'cli';

/**
 * What an admin does to accounts, over HTTP or at the CLI: the users' and sessions' own methods
 * (where the rules live, the last-admin rule among them), plus one `admin.*` audit event each.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly emails: UserEmailService,
    private readonly invites: Invites,
  ) {}

  page(query: { search?: string; limit: number; afterId?: number }) {
    return this.users.page(query);
  }

  get(id: number): Promise<UserSummary> {
    return this.users.get(id);
  }

  /**
   * Creates an account (the caller has held the name to the policy); NameTakenError (409) for a
   * taken name. Without a password it is an invite: `email` is mailed a link to choose one
   * (Invites), and the event is `admin.user.invited`; InviteNeedsMailError (400) when mail is off.
   */
  async create(
    name: string,
    password: string | undefined,
    roles: readonly Role[],
    actor: Actor = OPERATOR,
    email?: string,
  ): Promise<UserSummary> {
    if (password === undefined) {
      return this.invite(name, email!, roles, actor);
    }
    const { id } = await this.users.create(
      name,
      password,
      roles,
      actor,
      (user) =>
        this.event('admin.user.created', actor, user.id, {
          roles: user.roles.join(','),
          email: email === undefined ? undefined : 'set',
        }),
      this.emailIn(email),
    );
    this.emails.committed();
    return this.users.get(id);
  }

  private async invite(
    name: string,
    email: string,
    roles: readonly Role[],
    actor: Actor,
  ): Promise<UserSummary> {
    const { id } = await this.users.create(
      name,
      this.invites.unusablePassword(),
      roles,
      actor,
      (user) => this.event('admin.user.invited', actor, user.id, { roles: user.roles.join(',') }),
      (transaction, userId) => this.invites.sendIn(transaction, userId, email),
    );
    this.invites.committed();
    return this.users.get(id);
  }

  /**
   * Applies what is given, all of it or none: one write of the row, checked once against the
   * last-admin rule with every change in effect, and its one audit event (a disable included: no
   * user.disabled besides), stored in the same transaction as the change and the sessions a
   * disable ends (docs/admin.md#the-audit-trail): both or neither.
   */
  async update(
    id: number,
    change: { disabled?: boolean; roles?: readonly Role[]; email?: string },
    actor: Actor = OPERATOR,
  ): Promise<UserSummary> {
    const { email, ...fields } = change;
    await this.users.update(
      id,
      fields,
      actor,
      ({ roles, sessionsEnded }) =>
        this.event('admin.user.updated', actor, id, {
          roles: roles?.join(','),
          disabled: change.disabled,
          sessions: change.disabled === true ? sessionsEnded : undefined,
          email: email === undefined ? undefined : 'set',
        }),
      this.emailIn(email),
    );
    this.emails.committed();
    return this.users.get(id);
  }

  /** Sets an account's password; its sessions end (the admin's own is kept: their own reset). */
  async resetPassword(id: number, newPassword: string, actor: Actor = OPERATOR): Promise<void> {
    await this.users.get(id);
    // The admin's own session is kept only when they reset their own password.
    const keep = actor.userId === id ? actor : { ...actor, sessionId: undefined };
    await this.users.setPassword(id, newPassword, keep, ({ sessionsEnded }) =>
      this.event('admin.password.reset', actor, id, { sessions: sessionsEnded }),
    );
  }

  async delete(id: number, actor: Actor = OPERATOR): Promise<void> {
    await this.users.delete(id, actor, ({ sessionsEnded }) =>
      this.event('admin.user.deleted', actor, id, { sessions: sessionsEnded }),
    );
  }

  async listSessions(id: number): Promise<SessionEntity[]> {
    await this.users.get(id);
    return this.sessions.listActive(id);
  }

  async endSessions(id: number, actor: Actor = OPERATOR): Promise<number> {
    await this.users.get(id);
    return this.sessions.endRecorded({ userId: id }, 'revoked', actor, ({ sessions }) =>
      this.event('admin.sessions.ended', actor, id, { sessions }),
    );
  }

  /** Sets `email` (if given) in the change's transaction: the address commits with the rest. */
  private emailIn(email: string | undefined) {
    return async (transaction: EntityManager, userId: number) => {
      if (email !== undefined) {
        await this.emails.setIn(transaction, userId, email);
      }
    };
  }

  /** An `admin.*` event: who acted (`actor`: an id, or `cli`), on which account, and the details. */
  private event(
    event:
      | 'admin.user.created'
      | 'admin.user.invited'
      | 'admin.user.updated'
      | 'admin.user.deleted'
      | 'admin.password.reset'
      | 'admin.sessions.ended',
    actor: Actor,
    userId: number,
    details: AuditFields,
  ): AuditRecord {
    return { event, fields: { actor: actorOf(actor), userId, ...details } };
  }
}
