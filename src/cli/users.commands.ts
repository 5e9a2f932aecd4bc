import { Injectable } from '@nestjs/common';
import { AdminUsersService } from '../admin/admin-users.service.js';
import type { Role } from '../common/request-context/role.js';
import { MfaService } from '../mfa/mfa.service.js';
import type { UserSummary } from '../users/user-profile.js';
import { accountNameProblem } from '../common/validation/account-name.js';
import { emailAddressProblem } from '../common/validation/email-address.js';
import { NameTakenError } from '../users/name-taken.error.js';
import { UsersService } from '../users/users.service.js';
import { CliError, ExitCode } from './cli-error.js';
import { signUpProblem } from './sign-up.rules.js';

/** Where a command gets a new password: a hidden prompt or the first line of stdin. */
export type PasswordSource = () => Promise<string>;

/** A name in quotes, with every character that is not a visible letter, digit, mark, punctuation or symbol escaped. */
const quoted = (name: string) =>
  JSON.stringify(name).replace(/[^\p{L}\p{M}\p{N}\p{P}\p{S} ]|\p{Cs}/gu, (char) => {
    const code = char.codePointAt(0)!;
    // bash's $'...' reads both forms: \uXXXX and \UXXXXXXXX.
    return code <= 0xffff
      ? `\\u${code.toString(16).padStart(4, '0')}`
      : `\\U${code.toString(16).padStart(8, '0')}`;
  });
/** How list shows a name: as it is, or quoted and escaped when it breaks the name policy. */
const shown = (name: string) =>
  accountNameProblem(name) === undefined ? name : `${quoted(name)} (breaks the name policy)`;
/** How many accounts `list` reads per query. */
const LIST_PAGE_SIZE = 500;
const sessionCount = (count: number) => `${count} session${count === 1 ? '' : 's'}`;

/**
 * The operators' commands, on the services the HTTP API uses (same rules, same side effects).
 * Each returns the line or table to print on stdout, or throws a CliError.
 */
@Injectable()
export class UsersCommands {
  constructor(
    private readonly users: UsersService,
    private readonly admin: AdminUsersService,
    private readonly mfa: MfaService,
  ) {}

  /** For a user who lost their device: the second factor goes, and every session ends. */
  async mfaReset(name: string): Promise<string> {
    const user = await this.find(name);
    const { removed, sessionsEnded } = await this.mfa.resetTotp(user.id);
    return removed
      ? `turned off two-factor authentication of ${quoted(user.name)} and ended ${sessionCount(sessionsEnded)}`
      : `${quoted(user.name)} had no two-factor authentication; ended ${sessionCount(sessionsEnded)}`;
  }

  /** Adds a user with a password read from `readPassword`, or, without one, invites `email`. */
  async add(
    name: string,
    readPassword: PasswordSource | undefined,
    role: Role = 'user',
    email?: string,
  ): Promise<string> {
    await this.check('name', name);
    this.checkEmail(email);
    try {
      // Before asking for a password that would be thrown away.
      await this.users.assertNameFree(name);
      const password = readPassword === undefined ? undefined : await this.newPassword(readPassword);
      // The admin API's creation: the same rules and an admin.user.created (or admin.user.invited)
      // audit event (actor "cli"). An invite's mail goes out from the outbox (the service's worker).
      const user = await this.admin.create(name, password, [role], undefined, email);
      const as = role === 'admin' ? ' as an admin' : '';
      return password === undefined
        ? `invited ${quoted(user.name)} (id ${user.id})${as}: a link to choose a password was mailed to the address`
        : `added ${quoted(user.name)} (id ${user.id})${as}`;
    } catch (error) {
      // Also when someone took the name while the password was typed: the unique index decided.
      throw error instanceof NameTakenError ? this.nameTaken(name, error) : error;
    }
  }

  async passwd(name: string, readPassword: PasswordSource): Promise<string> {
    const user = await this.find(name);
    const password = await this.newPassword(readPassword);
    const { sessionsEnded } = await this.users.setPassword(user.id, password);
    return `changed the password of ${quoted(user.name)} and ended ${sessionCount(sessionsEnded)}`;
  }

  /**
   * Gives a user exactly one role, through the admin API's method (the last-admin rule included:
   * its LastAdminError is exit code 6, describeFailure).
   */
  async role(name: string, role: Role): Promise<string> {
    const user = await this.find(name);
    await this.admin.update(user.id, { roles: [role] });
    return user.roles.length === 1 && user.roles[0] === role
      ? `${quoted(user.name)} already had the role ${role}`
      : `gave ${quoted(user.name)} the role ${role}`;
  }

  /** Sets a user's address, unverified, through the admin API's update (its audit event). */
  async email(name: string, address: string): Promise<string> {
    const user = await this.find(name);
    this.checkEmail(address);
    await this.admin.update(user.id, { email: address });
    return `set the mail address of ${quoted(user.name)} (not verified yet)`;
  }

  async disable(name: string): Promise<string> {
    const user = await this.find(name);
    const { sessionsEnded } = await this.users.setDisabled(user.id, true);
    return user.disabled
      ? `${quoted(user.name)} was already disabled; ended ${sessionCount(sessionsEnded)}`
      : `disabled ${quoted(user.name)} and ended ${sessionCount(sessionsEnded)}`;
  }

  async enable(name: string): Promise<string> {
    const user = await this.find(name);
    await this.users.setDisabled(user.id, false);
    return user.disabled ? `enabled ${quoted(user.name)}` : `${quoted(user.name)} was already enabled`;
  }

  /** Gives a user a new name, held to the name policy: how names from before it are mended. */
  async rename(name: string, newName: string): Promise<string> {
    const user = await this.find(name);
    await this.check('name', newName);
    try {
      const renamed = await this.users.rename(user.id, newName);
      return `renamed ${quoted(user.name)} to ${quoted(renamed.name)}`;
    } catch (error) {
      throw error instanceof NameTakenError ? this.nameTaken(newName, error) : error;
    }
  }

  async logout(name: string): Promise<string> {
    const user = await this.find(name);
    const ended = await this.admin.endSessions(user.id);
    return `ended ${sessionCount(ended)} of ${quoted(user.name)}`;
  }

  /** The users as an aligned table: id, name, state, created (UTC). */
  async list(): Promise<string> {
    const rows = (await this.allUsers()).map((user) => [
      String(user.id),
      shown(user.name),
      user.disabled ? 'disabled' : 'enabled',
      user.createdAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    ]);
    const table = [['ID', 'NAME', 'STATE', 'CREATED'], ...rows];
    const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
    return table
      .map((row) =>
        row
          .map((cell, column) => (column === 0 ? cell.padStart(widths[0]) : cell.padEnd(widths[column])))
          .join('  ')
          .trimEnd(),
      )
      .join('\n');
  }

  /** Every account in id order: the admin API's pages, followed to the end. */
  private async allUsers(): Promise<UserSummary[]> {
    const all: UserSummary[] = [];
    let afterId: number | undefined;
    for (;;) {
      const { items, more } = await this.admin.page({ limit: LIST_PAGE_SIZE, afterId });
      all.push(...items);
      if (!more || items.length === 0) {
        return all;
      }
      afterId = items[items.length - 1].id;
    }
  }

  private async find(name: string): Promise<UserSummary> {
    const user = await this.users.findByName(name);
    if (user === null) {
      throw new CliError(`no user named ${quoted(name)}`, ExitCode.UserNotFound);
    }
    return user;
  }

  private async newPassword(readPassword: PasswordSource): Promise<string> {
    const password = await readPassword();
    await this.check('password', password);
    return password;
  }

  private async check(property: 'name' | 'password', value: string): Promise<void> {
    const problem = await signUpProblem(property, value);
    if (problem !== undefined) {
      throw new CliError(problem, ExitCode.InvalidInput);
    }
  }

  private checkEmail(address: string | undefined): void {
    const problem = address === undefined ? undefined : emailAddressProblem(address, 'ADDR');
    if (problem !== undefined) {
      throw new CliError(problem, ExitCode.InvalidInput);
    }
  }

  private nameTaken(name: string, error?: NameTakenError): CliError {
    return new CliError(
      error?.reason === 'look-alike'
        ? `name ${quoted(name)} looks too much like a taken name`
        : `name ${quoted(name)} is already taken`,
      ExitCode.NameTaken,
    );
  }
}
