import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { loadEnv } from '../config/environment.js';
import { parseArgs, USAGE, type Invocation } from './cli-args.js';
import { CliError, ExitCode } from './cli-error.js';
import { describeFailure } from './cli-failure.js';
import { askHidden, readFirstLine } from './password-input.js';
import type { PasswordSource, UsersCommands } from './users.commands.js';

// `npm run users -- <command>`: see USAGE in cli-args.ts for the commands and exit codes.

/** Refuses, before anything is opened, a password command that would have no way to get one. */
function checkPasswordInput(fromStdin: boolean): void {
  if (!fromStdin && !process.stdin.isTTY) {
    throw new CliError(
      'stdin is not a terminal to ask for the password on: send it with --password-stdin',
      ExitCode.Usage,
    );
  }
}

/** The first line of stdin, or a password typed twice, unseen, at the terminal. */
function passwordSource(name: string, fromStdin: boolean): PasswordSource {
  if (fromStdin) {
    return () => readFirstLine(process.stdin);
  }
  return async () => {
    const [password, again] = await askHidden(
      [`Password for ${JSON.stringify(name)}: `, 'Repeat it: '],
      process.stdin,
      process.stderr,
    );
    if (password !== again) {
      throw new CliError('the two passwords do not match', ExitCode.InvalidInput);
    }
    return password;
  };
}

function run(commands: UsersCommands, invocation: Exclude<Invocation, { command: 'help' }>): Promise<string> {
  switch (invocation.command) {
    case 'add':
      return commands.add(
        invocation.name,
        invocation.invite ? undefined : passwordSource(invocation.name, invocation.passwordStdin),
        invocation.role,
        invocation.email,
      );
    case 'email':
      return commands.email(invocation.name, invocation.email);
    case 'role':
      return commands.role(invocation.name, invocation.role);
    case 'passwd':
      return commands.passwd(invocation.name, passwordSource(invocation.name, invocation.passwordStdin));
    case 'disable':
      return commands.disable(invocation.name);
    case 'enable':
      return commands.enable(invocation.name);
    case 'logout':
      return commands.logout(invocation.name);
    case 'mfa-reset':
      return commands.mfaReset(invocation.name);
    case 'rename':
      return commands.rename(invocation.name, invocation.newName);
    case 'list':
      return commands.list();
  }
}

/**
 * Boots Nest on the configured database. Loaded only here, so that --help and usage errors answer
 * at once, without loading Nest, TypeORM and the database driver.
 */
async function openContext(): Promise<{ app: INestApplicationContext; commands: UsersCommands }> {
  const [{ NestFactory }, { CliModule }, { UsersCommands }] = await Promise.all([
    import('@nestjs/core'),
    import('./cli.module.js'),
    import('./users.commands.js'),
  ]);
  // Read once the arguments are known to be good: a usage error is answered as one, whatever the environment.
  const env = loadEnv();
  // No Nest logging: every outcome is the one line main() prints, and start-up errors are thrown.
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(env), {
    logger: false,
    abortOnError: false,
  });
  return { app, commands: app.get(UsersCommands) };
}

async function main(argv: readonly string[]): Promise<ExitCode> {
  let app: INestApplicationContext | undefined;
  try {
    const invocation = parseArgs(argv);
    if (invocation.command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return ExitCode.Ok;
    }
    if ((invocation.command === 'add' && !invocation.invite) || invocation.command === 'passwd') {
      checkPasswordInput(invocation.passwordStdin);
    }
    const opened = await openContext();
    app = opened.app;
    process.stdout.write(`${await run(opened.commands, invocation)}\n`);
    return ExitCode.Ok;
  } catch (error) {
    const { message, code } = describeFailure(error);
    process.stderr.write(`error: ${message}\n`);
    if (code === ExitCode.Usage) {
      process.stderr.write(`\n${USAGE}\n`);
    }
    return code;
  } finally {
    await app?.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
