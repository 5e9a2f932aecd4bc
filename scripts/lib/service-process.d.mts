// Types of service-process.mjs, for the TypeScript tests (written by hand: keep the two in step).
import type { ChildProcess } from 'node:child_process';

export declare const ROOT: string;
/** What `npm run start:prod` runs: the bundle of dist/main.js (scripts/bundle.mjs). */
export declare const MAIN: string;

/** What package.json's start:prod runs: its environment settings and its Node.js flags. */
export declare function productionLaunch(): { env: Record<string, string>; nodeFlags: string[] };

/** The Node.js flags of package.json's start:prod. */
export declare function productionNodeFlags(): string[];

/** PATH, NO_COLOR=1 and PORT=0 (the kernel picks), then `env`: nothing else of the caller's. */
export declare function serviceEnv(env?: Record<string, string | undefined>): NodeJS.ProcessEnv;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all. */
  error?: Error;
}

export interface ProcessOptions {
  env?: Record<string, string | undefined>;
  cwd: string;
  label?: string;
  /** Appends stdout and stderr to this file; without it they are kept in memory. */
  logFile?: string;
  /** A taskset CPU list to pin the process to, or null (the default) for none. */
  pin?: string | null;
}

export interface ServiceOptions extends ProcessOptions {
  /** Node.js flags in place of start:prod's (the default). */
  nodeFlags?: string[];
  /** Node.js arguments after start:prod's flags, before dist/bundle/main.js. */
  nodeArgs?: string[];
}

export interface StartOptions extends ServiceOptions {
  /** How long to wait for "Listening on" (20 s). */
  timeoutMs?: number;
  /** Replaces the host name of the printed URL ("localhost"). */
  host?: string;
}

export declare class ServiceProcess {
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  readonly label: string;
  readonly logFile: string | undefined;
  /** Resolves once it has exited (or failed to spawn). */
  readonly exited: Promise<Exit>;
  /** The URL it printed, once `listening()` has resolved. */
  url: string | undefined;
  get running(): boolean;
  get exitDescription(): string;
  /** stdout and stderr interleaved (output kept in memory, i.e. without `logFile`). */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** The last lines it printed. */
  tail(): Promise<string>;
  listening(options?: { timeoutMs?: number; host?: string }): Promise<string>;
  /** A field of /proc/<pid>/status in kB: VmRSS (resident now) or VmHWM (the peak). */
  memoryKb(field?: 'VmRSS' | 'VmHWM'): Promise<number>;
  /** SIGTERM, then wait (SIGKILL after `timeoutMs`, 15 s). */
  stop(options?: { timeoutMs?: number }): Promise<Exit>;
  /** Waits for it to exit by itself (SIGKILL after `timeoutMs`, 20 s). */
  waitForExit(options?: { timeoutMs?: number }): Promise<Exit>;
}

export declare function spawnProcess(
  options: ProcessOptions & { command: string; args: string[] },
): ServiceProcess;

/** The built service as `npm run start:prod` runs it, with serviceEnv(env). */
export declare function spawnService(options: ServiceOptions): ServiceProcess;

/** spawnService, then waits until it listens (`url` is set); stops it and throws if it does not. */
export declare function startService(options: StartOptions): Promise<ServiceProcess & { url: string }>;
