import { CliError, ExitCode } from './cli-error.js';

/** What one run of `npm run keys` was asked to do. */
export type KeysInvocation =
  | { command: 'help' }
  | { command: 'list' }
  | { command: 'rotate'; now: boolean }
  | { command: 'revoke'; kid: string };

export const KEYS_USAGE = `Usage: npm run keys -- <command> [options]

Commands:
  list           list the signing keys: kid, algorithm, state (next, active,
                 retiring, expired, revoked), created, activated
  rotate         publish a new key; it signs once JWKS_MAX_AGE has passed, so
                 verifiers that cache the JWKS know it first
  rotate --now   make the next key (or a new one) sign at once
  revoke KID     take a key out at once (a compromised key): out of the JWKS, its
                 tokens refused; if it was signing, a new key takes over first.
                 Sessions survive: refreshing issues tokens signed by the new key

Options:
  -h, --help     show this help

With JWT_ALGORITHM=HS256 there are no stored keys: tokens are signed with JWT_SECRET.
The database is the service's own (DATA_DIR, DATABASE_PATH or DATABASE_URL, from the
environment and .env); with REDIS_URL every instance learns a change at once, without
it within REVOCATION_POLL_INTERVAL.

Exit codes: 0 done, 1 usage error, 2 no such key, 5 bad environment or other failure`;

const usageError = (message: string) => new CliError(message, ExitCode.Usage);

export function parseKeysArgs(argv: readonly string[]): KeysInvocation {
  const positionals: string[] = [];
  let now = false;
  let help = false;
  for (const arg of argv) {
    if (arg === '--now') now = true;
    else if (arg === '-h' || arg === '--help') help = true;
    else if (arg.startsWith('-') && arg !== '-')
      throw usageError(`unknown option ${JSON.stringify(arg.split('=', 1)[0])}`);
    else positionals.push(arg);
  }
  const [command, ...rest] = positionals;
  if (help || (command === 'help' && rest.length === 0)) {
    return { command: 'help' };
  }
  if (now && command !== 'rotate') {
    throw usageError('--now is only for rotate');
  }
  switch (command) {
    case undefined:
      throw usageError('missing command');
    case 'list':
    case 'rotate':
      if (rest.length > 0) throw usageError(`${command} takes no arguments`);
      return command === 'list' ? { command } : { command, now };
    case 'revoke':
      if (rest.length !== 1) throw usageError('revoke needs one KID');
      return { command, kid: rest[0] };
    default:
      throw usageError(`unknown command ${JSON.stringify(command)}`);
  }
}
