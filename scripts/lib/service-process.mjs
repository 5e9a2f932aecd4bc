// The one way this project's scripts, bench and tests run the built service in its own process:
// spawn it as `npm run start:prod` does, wait until it listens, read its memory, stop it.
// Plain ESM with a hand-written declaration file next to it (service-process.d.mts), so that
// scripts/, bench/ and the TypeScript tests share it without a build step.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(import.meta.dirname, '..', '..');
/** What `npm run start:prod` runs: the bundle of dist/main.js (scripts/bundle.mjs). */
export const MAIN = join(ROOT, 'dist', 'bundle', 'main.js');

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;
const POLL_MS = 50;
/** What tail() shows: at most 30 lines from the last 16 KiB of output. */
const TAIL_CHARS = 16_384;
const TAIL_LINES = 30;
/** The line main.ts prints once the service accepts connections; in JSON logs it sits in quotes. */
const LISTENING = /Listening on (http:\/\/[^\s"]+)/;

/**
 * What package.json's start:prod runs: `[NAME=value...] node [--flag...] dist/bundle/main.js`, its
 * environment settings (glibc's malloc, docs/decisions.md) and its Node.js flags.
 */
export function productionLaunch() {
  const script = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['start:prod'];
  const match = /^((?:[A-Z_]+=\S+ )*)node((?: --[\w-]+(?:=\S+)?)*) dist\/bundle\/main\.js$/.exec(script);
  if (match === null) {
    throw new Error(
      `package.json's start:prod is not "[NAME=value...] node [--flag...] dist/bundle/main.js": ${script}`,
    );
  }
  const words = (text) => text.trim().split(' ').filter(Boolean);
  return {
    env: Object.fromEntries(words(match[1]).map((pair) => pair.split('='))),
    nodeFlags: words(match[2]),
  };
}

/** The Node.js flags of package.json's start:prod, so that the service runs as in production. */
export function productionNodeFlags() {
  return productionLaunch().nodeFlags;
}

/**
 * A clean environment: nothing of the caller's but PATH, no colours, and the port the kernel
 * picks (the service prints it); `env` adds to it or overrides it.
 */
export function serviceEnv(env = {}) {
  return { PATH: process.env.PATH, NO_COLOR: '1', PORT: '0', ...env };
}

/** A child process: its output, its memory from /proc, and how it ends. */
export class ServiceProcess {
  /** The URL it printed, once `listening()` has resolved. */
  url = undefined;
  #stdout = '';
  #stderr = '';
  #output = '';
  /** Set once it has exited, or failed to spawn at all (then `exitDescription` says why). */
  #ended = false;
  #error = undefined;

  constructor(child, { label, logFile }) {
    this.child = child;
    this.pid = child.pid;
    this.label = label;
    this.logFile = logFile;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#ended = true;
        resolve({ code, signal });
      });
      child.once('error', (error) => {
        this.#ended = true;
        this.#error = error;
        resolve({ code: null, signal: null, error });
      });
    });
    if (logFile === undefined) {
      child.stdout.on('data', (chunk) => {
        this.#stdout += chunk.toString();
        this.#output += chunk.toString();
      });
      child.stderr.on('data', (chunk) => {
        this.#stderr += chunk.toString();
        this.#output += chunk.toString();
      });
    }
  }

  get running() {
    return !this.#ended && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The exit code, the signal that ended it, or why it could not be spawned. */
  get exitDescription() {
    return this.#error?.message ?? String(this.child.signalCode ?? this.child.exitCode);
  }

  /** Everything it printed so far, stdout and stderr interleaved (output captured in memory). */
  output() {
    return this.#output;
  }

  stdout() {
    return this.#stdout;
  }

  stderr() {
    return this.#stderr;
  }

  /** The last lines it printed, from memory or from its log file. */
  async tail() {
    if (this.logFile === undefined) {
      return this.#output.slice(-TAIL_CHARS).trimEnd().split('\n').slice(-TAIL_LINES).join('\n') || '(none)';
    }
    const file = await open(this.logFile, 'r').catch(() => null);
    if (!file) {
      return '(none)';
    }
    try {
      const { size } = await file.stat();
      const length = Math.min(size, TAIL_CHARS);
      const { buffer } = await file.read(Buffer.alloc(length), 0, length, size - length);
      return buffer.toString().trimEnd().split('\n').slice(-TAIL_LINES).join('\n') || '(none)';
    } finally {
      await file.close();
    }
  }

  /**
   * Resolves with the URL of its "Listening on" line (also kept as `url`); `host` replaces the
   * printed host name ("localhost", which may resolve to ::1). Rejects if it exits first or
   * prints no such line within `timeoutMs`; with output in memory, the message carries it.
   */
  async listening({ timeoutMs = START_TIMEOUT_MS, host } = {}) {
    const deadline = Date.now() + timeoutMs;
    const withOutput = (message) => (this.logFile === undefined ? `${message}:\n${this.#output}` : message);
    for (;;) {
      const text = this.logFile === undefined ? this.#output : await readFile(this.logFile, 'utf8');
      const match = LISTENING.exec(text);
      if (match) {
        const url = new URL(match[1]);
        if (host !== undefined) {
          url.hostname = host;
        }
        this.url = url.origin;
        return this.url;
      }
      if (!this.running) {
        throw new Error(withOutput(`${this.label} exited (${this.exitDescription}) before listening`));
      }
      if (Date.now() > deadline) {
        throw new Error(withOutput(`${this.label}: no "Listening on" within ${timeoutMs / 1000} s`));
      }
      await Promise.race([sleep(POLL_MS), this.exited]);
    }
  }

  /** A field of /proc/<pid>/status in kB: VmRSS (resident now) or VmHWM (the peak). */
  async memoryKb(field = 'VmRSS') {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8').catch((error) => {
      throw this.running ? error : new Error(`${this.label} exited (${this.exitDescription})`);
    });
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) {
      throw new Error(`no ${field} in /proc/${this.pid}/status`);
    }
    return Number(match[1]);
  }

  /** SIGTERM, then wait; SIGKILL if it does not exit within `timeoutMs`. Resolves with how it exited. */
  async stop({ timeoutMs = STOP_TIMEOUT_MS } = {}) {
    if (this.running) {
      this.child.kill('SIGTERM');
    }
    return this.waitForExit({ timeoutMs });
  }

  /** Waits for it to exit by itself; SIGKILL if it has not within `timeoutMs`. */
  async waitForExit({ timeoutMs = START_TIMEOUT_MS } = {}) {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

/**
 * Spawns `command args`, optionally pinned to the CPUs of `pin` (a taskset list). Its stdout and
 * stderr go to `logFile` (appended; nothing has to keep draining a pipe, and a service that logs
 * every request pays for real writes) or, without one, are kept in memory.
 */
export function spawnProcess({ command, args, env, cwd, label = command, logFile, pin = null }) {
  const [file, argv] = pin === null ? [command, args] : ['taskset', ['-c', pin, command, ...args]];
  const fd = logFile === undefined ? undefined : openSync(logFile, 'a');
  // taskset execs its command, so the pid stays the child's own.
  const child = spawn(file, argv, {
    cwd,
    env,
    stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
  });
  if (fd !== undefined) {
    closeSync(fd);
  }
  return new ServiceProcess(child, { label, logFile });
}

/**
 * Spawns the built service as `npm run start:prod` runs it (`nodeFlags`, by default start:prod's,
 * then `nodeArgs`, then dist/bundle/main.js), in `cwd` (where it would read a .env) with
 * serviceEnv() of start:prod's environment settings and `env`.
 */
export function spawnService({
  env = {},
  cwd,
  nodeFlags = productionNodeFlags(),
  nodeArgs = [],
  label = 'service',
  logFile,
  pin = null,
}) {
  return spawnProcess({
    command: process.execPath,
    args: [...nodeFlags, ...nodeArgs, MAIN],
    env: serviceEnv({ ...productionLaunch().env, ...env }),
    cwd,
    label,
    logFile,
    pin,
  });
}

/**
 * spawnService, then waits until it listens (`url` is set then). If it does not, it is stopped
 * and the error thrown.
 */
export async function startService({ timeoutMs, host, ...options }) {
  const service = spawnService(options);
  try {
    await service.listening({ timeoutMs, host });
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}
