import { isRole, ROLES, type Role } from '../common/request-context/role.js';
import { CliError, ExitCode } from './cli-error.js';

/** What one run of the CLI was asked to do, once its arguments are known to be well formed. */
export type Invocation =
  | { command: 'help' }
  | { command: 'list' }
  | { command: 'add'; name: string; passwordStdin: boolean; role: Role; email?: string; invite: boolean }
  | { command: 'email'; name: string; email: string }
  | { command: 'passwd'; name: string; passwordStdin: boolean }
  | { command: 'role'; name: string; role: Role }
  | { command: 'disable' | 'enable' | 'logout'; name: string }
  | { command: 'rename'; name: string; newName: string }
  | { command: 'mfa-reset'; name: string };

const NAMED_COMMANDS = ['add', 'passwd', 'disable', 'enable', 'logout'] as const;
const PASSWORD_COMMANDS: readonly string[] = ['add', 'passwd'];

export const USAGE = `Usage: npm run users -- <command> [options]

Commands:
  add NAME [--role admin|user] [--email ADDR [--invite]]
                 create a user (a user unless --role admin); with --invite,
                 no password: ADDR is mailed a link to choose one
  email NAME ADDR
                 set a user's mail address (unverified: a link is mailed to it)
  role NAME admin|user
                 give a user that role (not the last enabled admin)
  passwd NAME    set a user's password and end their sessions
  disable NAME   disable a user and end their sessions
  enable NAME    enable a disabled user
  logout NAME    end all of a user's sessions
  mfa reset NAME turn off a user's two-factor authentication (a lost device)
                 and end their sessions
  rename NAME NEW_NAME
                 give a user a new name (under the name policy)
  list           list the users (id, name, state, created); a name that breaks
                 the name policy is shown quoted, invisible characters as \\uXXXX

Options:
  --role ROLE       the new user's role (add): admin or user (the default)
  --email ADDR      the new user's mail address (add)
  --invite          invite the new user (add, with --email): no password is asked;
                    the link mailed to ADDR sets it (valid INVITE_TTL seconds)
  --password-stdin  read the password (add, passwd) from the first line of stdin;
                    without it the password is asked twice on the terminal, hidden
  -h, --help        show this help
  --                end of options (for a NAME that starts with "-")

Passwords are never taken from the command line. The database is the service's own
(DATA_DIR or DATABASE_PATH, from the environment and .env). A NAME with characters
that cannot be typed as they are is written in bash as $'admin\\u200b'.

Exit codes: 0 done, 1 usage error, 2 no such user, 3 name taken,
4 invalid name or password, 5 bad environment or other failure,
6 refused: it would leave no enabled admin`;

const usageError = (message: string) => new CliError(message, ExitCode.Usage);

/**
 * Parses `<command> [NAME] [options]`. Arguments that are not expected are refused without being
 * echoed: the likeliest one is a password typed on the command line.
 */
export function parseArgs(argv: readonly string[]): Invocation {
  const positionals: string[] = [];
  let passwordStdin = false;
  let help = false;
  let optionsEnded = false;
  let role: string | undefined;
  let email: string | undefined;
  let invite = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (optionsEnded || !arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
    } else if (arg === '--role' || arg.startsWith('--role=')) {
      role = arg === '--role' ? argv[++index] : arg.slice('--role='.length);
      if (!isRole(role)) {
        throw usageError(`--role must be one of ${ROLES.join(', ')}`);
      }
    } else if (arg === '--email' || arg.startsWith('--email=')) {
      email = arg === '--email' ? argv[++index] : arg.slice('--email='.length);
      if (email === undefined) {
        throw usageError('--email needs an ADDR');
      }
    } else if (arg === '--invite') {
      invite = true;
    } else if (arg === '--') {
      optionsEnded = true;
    } else if (arg === '--password-stdin') {
      passwordStdin = true;
    } else if (arg === '-h' || arg === '--help') {
      help = true;
    } else {
      // Only the option's name: whatever follows "=" may be a secret.
      const [option] = arg.split('=', 1);
      throw usageError(
        `unknown option ${JSON.stringify(option)}${arg.includes('=') ? ' (with a value)' : ''}`,
      );
    }
  }
  const [command, ...rest] = positionals;
  if (help || (command === 'help' && rest.length === 0)) {
    return { command: 'help' };
  }
  if (command === undefined) {
    throw usageError('missing command');
  }
  if (passwordStdin && !PASSWORD_COMMANDS.includes(command)) {
    throw usageError('--password-stdin is only for add and passwd');
  }
  if (role !== undefined && command !== 'add') {
    throw usageError('--role is only for add (use: role NAME admin|user)');
  }
  if (email !== undefined && command !== 'add') {
    throw usageError('--email is only for add (use: email NAME ADDR)');
  }
  if (invite && (command !== 'add' || email === undefined)) {
    throw usageError('--invite is only for add, with --email ADDR');
  }
  if (invite && passwordStdin) {
    throw usageError('--invite takes no password: leave out --password-stdin');
  }
  if (command === 'list') {
    if (rest.length > 0) {
      throw usageError('list takes no arguments');
    }
    return { command };
  }
  if (command === 'rename') {
    if (rest.length !== 2) {
      throw usageError('rename needs a NAME and a NEW_NAME');
    }
    return { command, name: rest[0], newName: rest[1] };
  }
  if (command === 'email') {
    if (rest.length !== 2) {
      throw usageError('email needs a NAME and an ADDR');
    }
    return { command, name: rest[0], email: rest[1] };
  }
  if (command === 'mfa') {
    if (rest.length !== 2 || rest[0] !== 'reset') {
      throw usageError('mfa needs reset and a NAME');
    }
    return { command: 'mfa-reset', name: rest[1] };
  }
  if (command === 'role') {
    if (rest.length !== 2) {
      throw usageError('role needs a NAME and a ROLE (admin or user)');
    }
    if (!isRole(rest[1])) {
      throw usageError(`ROLE must be one of ${ROLES.join(', ')}`);
    }
    return { command, name: rest[0], role: rest[1] };
  }
  const named = NAMED_COMMANDS.find((known) => known === command);
  if (named === undefined) {
    throw usageError(`unknown command ${JSON.stringify(command)}`);
  }
  const [name, ...extra] = rest;
  if (name === undefined) {
    throw usageError(`${named} needs a NAME`);
  }
  if (extra.length > 0) {
    throw usageError(
      PASSWORD_COMMANDS.includes(named)
        ? `${named} takes only a NAME: passwords are read from a hidden prompt or --password-stdin, never from arguments`
        : `${named} takes only a NAME`,
    );
  }
  if (named === 'add') {
    return { command: named, name, passwordStdin, role: isRole(role) ? role : 'user', email, invite };
  }
  return named === 'passwd' ? { command: named, name, passwordStdin } : { command: named, name };
}
