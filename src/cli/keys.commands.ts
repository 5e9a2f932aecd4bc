import { Injectable } from '@nestjs/common';
import { KeyActions, NoStoredKeysError, UnknownKeyError, type KeyListing } from '../keys/key-actions.js';
import { CliError, ExitCode } from './cli-error.js';

const time = (date: Date | null) => (date === null ? '-' : date.toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** The operators' key commands, through the KeyActions the service's module provides. Each returns what to print. */
@Injectable()
export class KeysCommands {
  constructor(private readonly keys: KeyActions) {}

  async list(): Promise<string> {
    const rows = await this.guard(() => this.keys.list());
    if (rows.length === 0) {
      return 'no signing keys yet: the service creates the first one when it starts';
    }
    const table = [
      ['KID', 'ALG', 'STATE', 'CREATED', 'ACTIVATED', 'REVOKED'],
      ...rows.map((key: KeyListing) => [
        key.kid,
        key.algorithm,
        key.state,
        time(key.createdAt),
        // A next key's activation is to come: shown with a mark.
        key.state === 'next' ? `(${time(key.activatesAt)})` : time(key.activatesAt),
        time(key.revokedAt),
      ]),
    ];
    const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
    return table
      .map((row) =>
        row
          .map((cell, i) => cell.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n');
  }

  async rotate(now: boolean): Promise<string> {
    const { kid, created, activatesAt } = await this.guard(() => this.keys.rotate({ now }));
    const when = activatesAt.getTime() <= Date.now() ? 'signing now' : `signing from ${time(activatesAt)}`;
    return `${created ? 'created' : 'next key'} ${kid}, published in the JWKS, ${when}`;
  }

  async revoke(kid: string): Promise<string> {
    const { replacedBy, alreadyRevoked } = await this.guard(() => this.keys.revoke(kid));
    if (alreadyRevoked) {
      return `${kid} was already revoked`;
    }
    return replacedBy === undefined
      ? `revoked ${kid}: out of the JWKS, its tokens refused`
      : `revoked ${kid}: out of the JWKS, its tokens refused; ${replacedBy} signs now`;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UnknownKeyError) throw new CliError(error.message, ExitCode.KeyNotFound);
      if (error instanceof NoStoredKeysError) throw new CliError(error.message, ExitCode.Failure);
      throw error;
    }
  }
}
