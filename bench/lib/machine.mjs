// The machine the run is on, for the report, and where the servers and the load generator run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../scripts/lib/service-process.mjs';

/** Where setUpPinning puts the load generator, and the servers. */
export const GENERATOR_CPU = '1';
export const SERVER_CPU = '0';

/** Pins this process (all its threads: the load generator) to the CPUs of `cpus`, a taskset list. */
export function pinSelf(cpus) {
  return spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)]).status === 0;
}

/** Pins this process (the load generator) to CPU 1; returns the CPU list for servers, or null. */
export function setUpPinning() {
  const cpus = os.availableParallelism();
  if (spawnSync('taskset', ['-c', '0', 'true']).status !== 0) {
    return {
      server: null,
      description: 'none (taskset not found): servers and load generator share every CPU',
    };
  }
  if (cpus < 2) {
    return { server: null, description: 'none (one CPU): servers and load generator share it' };
  }
  if (!pinSelf(GENERATOR_CPU)) {
    return { server: null, description: 'none (taskset could not pin the load generator)' };
  }
  return {
    server: SERVER_CPU,
    description:
      'servers (and bare argon2) on CPU 0, load generator (autocannon, in the bench process) on CPU 1, with taskset' +
      (cpus > 2 ? `; CPUs 2-${cpus - 1} idle` : ''),
  };
}

export function machineInfo() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux: os.cpus() it is
  }
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD').stdout?.trim();
  const dirty = git('status', '--porcelain', '--', 'src', 'package.json', 'package-lock.json').stdout?.trim();
  const autocannon = JSON.parse(
    readFileSync(join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8'),
  );
  return {
    cpuModel,
    cpus: os.cpus().length,
    memoryGb: os.totalmem() / 1e9,
    kernel: os.release(),
    node: process.version,
    autocannon: autocannon.version,
    commit: head
      ? `commit ${head}${dirty ? ' with uncommitted changes in src/ or package files' : ''}`
      : 'not a git checkout',
    python: null,
  };
}
