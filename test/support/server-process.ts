import { serviceEnv as cleanEnv, spawnService, startService } from '../../scripts/lib/service-process.mjs';

/** The built service (npm test builds it first), started as an operator would start it. */
export { MAIN } from '../../scripts/lib/service-process.mjs';

export interface RunningServer {
  url: string;
  output: () => string;
  /** SIGTERM; resolves with the exit code. */
  stop: () => Promise<number | null>;
}

/** A clean environment: nothing inherited from the developer's shell or the jest setup files. */
export function serviceEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  // Throttling is off unless a test sets the limits: these tests log in many times from one address.
  // No shutdown delay (5 s in production) unless a test sets one: test/e2e/health.e2e-spec.ts does.
  return cleanEnv({
    LOGIN_RATE_LIMIT: '1000000',
    LOGIN_FAILURE_LIMIT: '1000000',
    SHUTDOWN_DELAY: '0',
    ...env,
  });
}

/** Starts the built service and resolves once it listens, with the URL it printed. */
export async function startServer(env: Record<string, string>, cwd: string): Promise<RunningServer> {
  const service = await startService({ env: serviceEnv(env), cwd });
  return {
    url: service.url,
    output: () => service.output(),
    stop: async () => (await service.stop()).code,
  };
}

/** Runs the built service expecting it to refuse to start; resolves with its exit code and output. */
export async function failedStart(
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const service = spawnService({ env: serviceEnv(env), cwd });
  const { code } = await service.waitForExit({ timeoutMs: 20_000 });
  return { code, stdout: service.stdout(), stderr: service.stderr() };
}
