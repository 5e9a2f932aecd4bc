// What every figure does the same way: start a server and wait for it, wait for a quiet machine,
// measure a load with the CPU of everyone involved, stop everything on Ctrl-C. Each module of
// bench/figures/ takes a Runner and returns its own results.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAIN, ROOT, spawnService } from '../../scripts/lib/service-process.mjs';
import { num, say } from './format.mjs';
import { LatencyRecorder, runLoad } from './load.mjs';
import { GENERATOR_CPU, pinSelf } from './machine.mjs';
import { cpuSince, cpuSnapshot, freePort, HOST, machineBusySeconds, waitForHttp } from './processes.mjs';
import { HASHER, NOISY_PERCENT, THROTTLE_OFF } from './settings.mjs';

/**
 * dist/ may vanish under the run: other people run `nest build` (deleteOutDir) in this workspace.
 * Waits for their build to bring it back, and builds itself if it does not.
 */
async function ensureBuilt() {
  if (existsSync(MAIN) && existsSync(HASHER)) {
    return;
  }
  say('  dist/ is missing (another `nest build` running?): waiting up to 60 s for it');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await sleep(500);
    if (existsSync(MAIN) && existsSync(HASHER)) {
      await sleep(3_000); // let that build finish writing
      return;
    }
  }
  say('  still missing: npm run build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0 || !existsSync(MAIN)) {
    throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  }
}

/** Runs `task` with dist/ present; if it fails because dist/ changed under it, rebuilds and retries. */
export async function withBuild(task, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    await ensureBuilt();
    try {
      return await task();
    } catch (error) {
      const text = `${error.message}\n${error.tail ?? ''}`;
      const missing = !existsSync(MAIN) || /ERR_MODULE_NOT_FOUND|Cannot find module/.test(text);
      if (!missing || attempt >= attempts) {
        throw error;
      }
      say(`  dist/ changed under the run (${error.message.split('\n')[0]}): rebuilding and retrying`);
    }
  }
}

/**
 * What a service process gets, on top of spawnService's clean environment (PATH, NO_COLOR);
 * `extra` adds to it (DATABASE_URL, REDIS_URL).
 */
export function serviceEnv({ port, dataDir, secret, password, extra = {} }) {
  return {
    NODE_ENV: 'production',
    HOST,
    PORT: String(port),
    DATA_DIR: dataDir,
    JWT_SECRET: secret,
    ADMIN_NAME: 'bench',
    ADMIN_PASSWORD: password,
    // No load balancer to drain: stop at once, not after production's 5 s (docs/scaling.md).
    SHUTDOWN_DELAY: '0',
    LOGIN_RATE_LIMIT: THROTTLE_OFF,
    LOGIN_FAILURE_LIMIT: THROTTLE_OFF,
    ...extra,
  };
}

export class Runner {
  /** `options` from parseOptions; `pin` the servers' CPU list (setUpPinning), or null. */
  constructor(options, pin) {
    this.options = options;
    this.pin = pin;
    this.running = new Set(); // autocannon instances
    this.children = new Set();
    this.interrupted = false;
  }

  interrupt() {
    this.interrupted = true;
    for (const instance of this.running) {
      instance.stop();
    }
    for (const child of this.children) {
      void child.stop();
    }
  }

  checkInterrupted() {
    if (this.interrupted) {
      throw new Error('interrupted');
    }
  }

  /**
   * Waits up to --settle seconds until the machine's processes use under NOISY_PERCENT of a CPU
   * for two seconds in a row (the servers are idle then, so that is everybody else).
   */
  async settle() {
    const seconds = this.options.settle;
    if (seconds <= 0) {
      return;
    }
    const deadline = Date.now() + seconds * 1000;
    let calm = 0;
    let busyPercent = 0;
    while (Date.now() < deadline) {
      this.checkInterrupted();
      const before = await machineBusySeconds();
      const started = performance.now();
      await sleep(1_000);
      busyPercent = (((await machineBusySeconds()) - before) / ((performance.now() - started) / 1000)) * 100;
      calm = busyPercent < NOISY_PERCENT ? calm + 1 : 0;
      if (calm >= 2) {
        return;
      }
    }
    say(
      `      (other processes still used ${num(busyPercent)}% of a CPU after ${seconds} s of waiting: measuring anyway)`,
    );
  }

  /** Keeps `child` (a ServiceProcess) to stop on an interrupt, until it exits. */
  track(child) {
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    return child;
  }

  async stop(child) {
    const result = await child.stop();
    this.children.delete(child);
    return result;
  }

  /** Tracks a spawned server and waits until it answers GET /user (any status). */
  async startServer(spawned, url) {
    const child = this.track(spawned);
    try {
      await waitForHttp(child, `${url}/user`);
    } catch (error) {
      error.tail = await child.tail();
      await this.stop(child);
      throw error;
    }
    return child;
  }

  async startService(dir, label, { dataDir, secret, password, env, pin = this.pin }) {
    return withBuild(async () => {
      const port = await freePort();
      const url = `http://${HOST}:${port}`;
      const child = await this.startServer(
        spawnService({
          label,
          env: serviceEnv({ port, dataDir, secret, password, extra: env }),
          cwd: dir, // no .env of the developer's is read
          logFile: join(dir, `${label}.log`),
          pin,
        }),
        url,
      );
      return { child, url };
    });
  }

  /** A warm-up run (not kept), then the measured run with the server's and this process's CPU use. */
  async measure(child, spec) {
    const { warmup, duration } = this.options;
    await this.settle();
    if (warmup > 0) {
      await runLoad({ ...spec, duration: warmup }, this.running);
      this.checkInterrupted();
    }
    const before = await cpuSnapshot(child);
    const run = await runLoad({ ...spec, duration }, this.running);
    this.checkInterrupted();
    Object.assign(run, await cpuSince(before, child));
    run.rssAfterKb = await child.memoryKb();
    return run;
  }

  /**
   * `measure` for several servers at once, one autocannon instance (spec) each, all in this
   * process: the sum of their rates, the percentiles of all their responses together, and each
   * instance's own figures. With `generatorCpus` (a taskset list), this process may run on those
   * CPUs during the figure and goes back to its own CPU after it.
   */
  async measureTogether(children, specs, { generatorCpus = null } = {}) {
    const { warmup, duration } = this.options;
    await this.settle();
    if (generatorCpus !== null && !pinSelf(generatorCpus)) {
      throw new Error(`taskset could not move the load generator to CPUs ${generatorCpus}`);
    }
    try {
      if (warmup > 0) {
        await Promise.all(specs.map((spec) => runLoad({ ...spec, duration: warmup }, this.running)));
        this.checkInterrupted();
      }
      const latency = new LatencyRecorder();
      const before = await cpuSnapshot(children);
      const runs = await Promise.all(
        specs.map((spec) => runLoad({ ...spec, duration }, this.running, { alsoRecord: latency })),
      );
      this.checkInterrupted();
      const cpu = await cpuSince(before, children);
      const instances = await Promise.all(
        runs.map(async (run, i) => ({
          ...run,
          serverCpuPercent: cpu.serversCpuPercent[i],
          rssAfterKb: await children[i].memoryKb(),
        })),
      );
      const total = (pick) => instances.reduce((sum, run) => sum + pick(run), 0);
      return {
        connections: total((run) => run.connections),
        requests: total((run) => run.requests),
        perSecond: total((run) => run.perSecond),
        latency: latency.summary(),
        serverCpuPercent: cpu.serverCpuPercent,
        clientCpuPercent: cpu.clientCpuPercent,
        otherCpuPercent: cpu.otherCpuPercent,
        instances,
      };
    } finally {
      if (generatorCpus !== null && this.pin !== null) {
        pinSelf(GENERATOR_CPU);
      }
    }
  }

  /**
   * Stops `child` and adds a problem when it did not exit cleanly on SIGTERM (unless the run was
   * interrupted): `name` says whose exit it was.
   */
  async stopChecked(child, problems, name) {
    const exit = await this.stop(child);
    if (!this.interrupted && exit.code !== 0) {
      problems.push(`${name} exited ${exit.signal ?? exit.code} on SIGTERM (log: ${child.logFile})`);
    }
    return exit;
  }
}
