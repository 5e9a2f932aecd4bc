// Child processes for the benchmark, beside what scripts/lib/service-process.mjs does for every
// caller (spawn, pin, stop, memory): waiting for an HTTP answer, and CPU time from /proc.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const HOST = '127.0.0.1';

/** Clock ticks per second for /proc/<pid>/stat (100 on every Linux seen, but ask). */
const CLOCK_TICKS = (() => {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(result.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
})();

/**
 * CPU seconds the whole machine has spent running processes (user + nice + system, all CPUs)
 * since boot. Interrupt and softirq time is left out: the loopback traffic of the bench itself
 * is processed there, and it is no other process's doing.
 */
export async function machineBusySeconds() {
  return (await machineTicks()).busy / CLOCK_TICKS;
}

/**
 * /proc/stat's totals over all CPUs: busy (user, nice, system) and steal, the time the hypervisor
 * gave this VM's CPUs to another guest. Steal is invisible to every process here, so a machine
 * whose processes are quiet can still be slow: the bench reports it beside the other processes.
 */
async function machineTicks() {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0];
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: fields[0] + fields[1] + fields[2], steal: fields[7] ?? 0 };
}

/**
 * A snapshot of who used the CPUs: `server` (a ServiceProcess, or an array of them), this process
 * (the load generator) and the machine as a whole. `cpuSince` turns it into percentages of one CPU
 * over the wall time, `otherPercent` being what every other process used: noise, on a shared
 * machine. With several servers, `serverCpuPercent` is their sum and `serversCpuPercent` each one's.
 */
export async function cpuSnapshot(server) {
  return {
    at: performance.now(),
    servers: await Promise.all(serverList(server).map((child) => processCpuSeconds(child.pid))),
    client: process.cpuUsage(),
    machine: await machineTicks(),
  };
}

export async function cpuSince(snapshot, server) {
  const wall = (performance.now() - snapshot.at) / 1000;
  const servers = serverList(server);
  const serverSeconds = await Promise.all(
    servers.map(async (child, i) => (await processCpuSeconds(child.pid)) - snapshot.servers[i]),
  );
  const serverTotal = serverSeconds.reduce((sum, seconds) => sum + seconds, 0);
  const client = process.cpuUsage(snapshot.client);
  const clientSeconds = (client.user + client.system) / 1e6;
  const machine = await machineTicks();
  const machineSeconds = (machine.busy - snapshot.machine.busy) / CLOCK_TICKS;
  const pct = (seconds) => (seconds / wall) * 100;
  return {
    serverCpuPercent: pct(serverTotal),
    ...(Array.isArray(server) ? { serversCpuPercent: serverSeconds.map(pct) } : {}),
    clientCpuPercent: pct(clientSeconds),
    otherCpuPercent: Math.max(0, pct(machineSeconds - serverTotal - clientSeconds)),
    // Of one CPU, summed over the machine's CPUs like the other figures.
    stealCpuPercent: pct((machine.steal - snapshot.machine.steal) / CLOCK_TICKS),
  };
}

const serverList = (server) => (Array.isArray(server) ? server : server ? [server] : []);

/** A port free on HOST right now (the kernel's pick; released before it is handed to a child). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** User + system CPU seconds a process (all its threads) has used so far. */
export async function processCpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is [0], utime [11], stime [12].
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** One GET without keep-alive; resolves with the status, rejects on a socket error. */
export function probe(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode));
    });
    request.once('error', reject);
    request.setTimeout(5_000, () => request.destroy(new Error('probe timed out')));
  });
}

/**
 * Polls `url` every `intervalMs` until it answers (any status, or `wantStatus` if given). Throws
 * if the child exits first, if it answers another status than `wantStatus`, or on timeout.
 */
export async function waitForHttp(
  child,
  url,
  { headers = {}, wantStatus, timeoutMs = 20_000, intervalMs = 50 } = {},
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const status = await probe(url, headers);
      if (wantStatus === undefined || status === wantStatus) {
        return status;
      }
      throw Object.assign(new Error(`${child.label}: GET ${url} answered ${status}, not ${wantStatus}`), {
        fatal: true,
      });
    } catch (error) {
      if (error.fatal) {
        throw error;
      }
    }
    if (!child.running) {
      throw new Error(`${child.label} exited (${child.exitDescription}) before answering HTTP`);
    }
    if (Date.now() > deadline) {
      throw new Error(`${child.label} did not answer HTTP within ${timeoutMs / 1000} s`);
    }
    await sleep(intervalMs);
  }
}
