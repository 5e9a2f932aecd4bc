// (4) Cold start: a data directory with the user and a live session is prepared once (and a token
// minted by logging in), then for each start it is copied, the service spawned, and the time to
// the first 200 of GET /user with that token taken.
import { randomBytes } from 'node:crypto';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnService } from '../../scripts/lib/service-process.mjs';
import { login } from '../lib/client.mjs';
import { median, megabytes, ms, num, say } from '../lib/format.mjs';
import {
  freePort,
  HOST,
  machineBusySeconds,
  probe,
  processCpuSeconds,
  waitForHttp,
} from '../lib/processes.mjs';
import { serviceEnv, withBuild } from '../lib/runner.mjs';

/** `{ medianMs, samplesMs, rssAtFirstKb, starts }` over --cold-starts starts. */
export async function measureColdStarts(runner, dir) {
  const count = runner.options.coldStarts;
  say(`  (4) cold start: spawn to the first 200 of GET /user, ${count} start${count === 1 ? '' : 's'}`);
  const secret = randomBytes(48).toString('base64');
  const password = randomBytes(18).toString('base64url');
  const template = join(dir, 'cold-template');
  // One data directory with the user and a live session, and a token for it, made beforehand.
  const { child, url } = await runner.startService(dir, 'cold-template', {
    dataDir: template,
    secret,
    password,
  });
  let token;
  try {
    token = await login(url, 'bench', password);
    const status = await probe(`${url}/user`, { authorization: `Bearer ${token}` });
    if (status !== 200) {
      throw new Error(`GET /user with the fresh token answered ${status}`);
    }
  } catch (error) {
    error.tail ??= await child.tail();
    await runner.stop(child);
    throw error;
  }
  // SIGTERM closes the database cleanly, so the copies start from a consistent file.
  const exit = await runner.stop(child);
  if (!runner.interrupted && exit.code !== 0) {
    throw new Error(`the template service exited ${exit.signal ?? exit.code} on SIGTERM`);
  }
  const samplesMs = [];
  const rssKb = [];
  const starts = [];
  for (let i = 1; i <= count; i++) {
    runner.checkInterrupted();
    const dataDir = join(dir, `cold-${i}`);
    await cp(template, dataDir, { recursive: true });
    await runner.settle();
    const sample = await withBuild(() => oneStart(runner, dir, i, { dataDir, secret, password, token }));
    samplesMs.push(sample.elapsed);
    rssKb.push(sample.rss);
    starts.push({
      ms: sample.elapsed,
      rssKb: sample.rss,
      cpuSeconds: sample.cpuSeconds,
      otherCpuPercent: sample.otherCpuPercent,
    });
    say(
      `      start ${i}: ${ms(sample.elapsed)}, using ${num(sample.cpuSeconds, 2)} s of CPU; RSS at the first 200 ${megabytes(sample.rss)}; ` +
        `other processes ${num(sample.otherCpuPercent)}% of a CPU`,
    );
  }
  const medianMs = median(samplesMs);
  const rssAtFirstKb = [...rssKb].sort((a, b) => a - b)[Math.floor(rssKb.length / 2)];
  return { medianMs, samplesMs, rssAtFirstKb, starts };
}

/** Start `i`: spawn on a copy of the template, poll GET /user every 2 ms until a 200, stop. */
async function oneStart(runner, dir, i, { dataDir, secret, password, token }) {
  const port = await freePort();
  const busyBefore = await machineBusySeconds();
  const ownBefore = process.cpuUsage();
  const spawnedAt = performance.now();
  const started = runner.track(
    spawnService({
      label: `cold-${i}`,
      env: serviceEnv({ port, dataDir, secret, password }),
      cwd: dir,
      logFile: join(dir, `cold-${i}.log`),
      pin: runner.pin,
    }),
  );
  try {
    await waitForHttp(started, `http://${HOST}:${port}/user`, {
      headers: { authorization: `Bearer ${token}` },
      wantStatus: 200,
      intervalMs: 2,
    });
    const elapsed = performance.now() - spawnedAt;
    const cpuSeconds = await processCpuSeconds(started.pid);
    const own = process.cpuUsage(ownBefore);
    const others = (await machineBusySeconds()) - busyBefore - cpuSeconds - (own.user + own.system) / 1e6;
    return {
      elapsed,
      rss: await started.memoryKb(),
      cpuSeconds,
      otherCpuPercent: Math.max(0, (others / (elapsed / 1000)) * 100),
    };
  } catch (error) {
    error.tail = await started.tail();
    throw error;
  } finally {
    await runner.stop(started);
  }
}
