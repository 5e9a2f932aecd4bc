import { Injectable } from '@nestjs/common';
import { SessionsService } from '../sessions/sessions.service.js';
import type { UserSummary } from '../users/user-profile.js';
import { NameTakenError } from '../users/name-taken.error.js';
import { UsersService } from '../users/users.service.js';
import { CliError, ExitCode } from './cli-error.js';
import { signUpProblem } from './sign-up.rules.js';

/** Where a command gets a new password: a hidden prompt or the first line of stdin. */
export type PasswordSource = () => Promise<string>;

const quoted = (name: string) => JSON.stringify(name);
const sessionCount = (count: number) => `${count} session${count === 1 ? '' : 's'}`;

/**
 * The operators' commands, on the services the HTTP API uses (same rules, same side effects).
 * Each returns the line or table to print on stdout, or throws a CliError.
 */
@Injectable()
export class UsersCommands {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
  ) {}

  async add(name: string, readPassword: PasswordSource): Promise<string> {
    await this.check('name', name);
    // Before asking for a password that would be thrown away.
    if ((await this.users.findByName(name)) !== null) {
      throw this.nameTaken(name);
    }
    const password = await this.newPassword(readPassword);
    try {
      const user = await this.users.create(name, password);
      return `added ${quoted(user.name)} (id ${user.id})`;
    } catch (error) {
      // Someone took the name while the password was typed: the unique index decided.
      throw error instanceof NameTakenError ? this.nameTaken(name) : error;
    }
  }

  async passwd(name: string, readPassword: PasswordSource): Promise<string> {
    const user = await this.find(name);
    const password = await this.newPassword(readPassword);
    const { sessionsEnded } = await this.users.setPassword(user.id, password);
    return `changed the password of ${quoted(user.name)} and ended ${sessionCount(sessionsEnded)}`;
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

  async logout(name: string): Promise<string> {
    const user = await this.find(name);
    const ended = await this.sessions.endAllOf(user.id, 'revoked');
    return `ended ${sessionCount(ended)} of ${quoted(user.name)}`;
  }

  /** The users as an aligned table: id, name, state, created (UTC). */
  async list(): Promise<string> {
    const rows = (await this.users.list()).map((user) => [
      String(user.id),
      user.name,
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

  private nameTaken(name: string): CliError {
    return new CliError(`name ${quoted(name)} is already taken`, ExitCode.NameTaken);
  }
}
