import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/** The built service (npm test builds it first), started as an operator would start it. */
/** What `npm run start:prod` runs: the bundle of dist/main.js (scripts/bundle.mjs). */
export const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'bundle', 'main.js');

export interface RunningServer {
  url: string;
  output: () => string;
  stop: () => Promise<number | null>;
}

/** A clean environment: nothing inherited from the developer's shell or the jest setup files. */
export function serviceEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  // Throttling is off unless a test sets the limits: these tests log in many times from one address.
  return {
    PATH: process.env.PATH,
    NO_COLOR: '1',
    PORT: '0',
    LOGIN_RATE_LIMIT: '1000000',
    LOGIN_FAILURE_LIMIT: '1000000',
    ...env,
  };
}

/** Starts the built service and resolves once it listens, with the URL it printed. */
export async function startServer(env: Record<string, string>, cwd: string): Promise<RunningServer> {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: serviceEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Listening on" within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${output}`));
    });
  });
  return { url, output: () => output, stop: () => stop(child) };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) {
    return child.exitCode;
  }
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

/** Runs the built service expecting it to refuse to start; resolves with its exit code and output. */
export async function failedStart(
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: serviceEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
