import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { loadEnv } from '../config/environment.js';
import { ExitCode } from './cli-error.js';
import { describeFailure } from './cli-failure.js';
import { KEYS_USAGE, parseKeysArgs } from './keys-args.js';
import type { KeysCommands } from './keys.commands.js';

// `npm run keys -- <command>`: see KEYS_USAGE in keys-args.ts for the commands and exit codes.

/** Boots Nest on the configured database (only once the arguments are known to be good). */
async function openContext(): Promise<{ app: INestApplicationContext; commands: KeysCommands }> {
  const [{ NestFactory }, { KeysCliModule }, { KeysCommands }] = await Promise.all([
    import('@nestjs/core'),
    import('./cli.module.js'),
    import('./keys.commands.js'),
  ]);
  const env = loadEnv();
  const app = await NestFactory.createApplicationContext(KeysCliModule.forRoot(env), {
    logger: false,
    abortOnError: false,
  });
  return { app, commands: app.get(KeysCommands) };
}

async function main(argv: readonly string[]): Promise<ExitCode> {
  let app: INestApplicationContext | undefined;
  try {
    const invocation = parseKeysArgs(argv);
    if (invocation.command === 'help') {
      process.stdout.write(`${KEYS_USAGE}\n`);
      return ExitCode.Ok;
    }
    const opened = await openContext();
    app = opened.app;
    const { commands } = opened;
    const output =
      invocation.command === 'list'
        ? await commands.list()
        : invocation.command === 'rotate'
          ? await commands.rotate(invocation.now)
          : await commands.revoke(invocation.kid);
    process.stdout.write(`${output}\n`);
    return ExitCode.Ok;
  } catch (error) {
    const { message, code } = describeFailure(error);
    process.stderr.write(`error: ${message}\n`);
    if (code === ExitCode.Usage) {
      process.stderr.write(`\n${KEYS_USAGE}\n`);
    }
    return code;
  } finally {
    await app?.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
