// The service row: the built service as `npm run start:prod` runs it (SERVICE_SETTINGS), its idle
// RSS, (1) GET /user with a valid token, then on the same process the login figures (2) and (3)
// (figures/login.mjs), its peak RSS over all of them and the request log it wrote.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { login } from '../lib/client.mjs';
import { describe, megabytes, num, say } from '../lib/format.mjs';
import { loadProblems } from '../lib/load.mjs';
import { IDLE_SETTLE_MS, SERVICE_SETTINGS, USER_CONNECTIONS } from '../lib/settings.mjs';
import { measureFlood, measureLogin } from './login.mjs';

async function logStats(file) {
  const { size } = await stat(file);
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
      lines++;
    }
  }
  return { bytes: size, lines };
}

/** `{ idleRssKb, getUser, login, isolation, peakRssKb, log, problems }`. */
export async function measureService(runner, dir) {
  const secret = randomBytes(48).toString('base64');
  const password = randomBytes(18).toString('base64url');
  const { child, url } = await runner.startService(dir, 'service', {
    dataDir: join(dir, 'service-data'),
    secret,
    password,
  });
  say(
    `service: pid ${child.pid} on ${url} (${SERVICE_SETTINGS.split(', fresh')[0]}, log in ${child.logFile})`,
  );
  const result = { problems: [] };
  try {
    await sleep(IDLE_SETTLE_MS);
    result.idleRssKb = await child.memoryKb();
    say(`  idle RSS ${megabytes(result.idleRssKb)}`);
    const token = await login(url, 'bench', password);
    const auth = { authorization: `Bearer ${token}` };
    const userSpec = { url: `${url}/user`, headers: auth, connections: USER_CONNECTIONS };
    const loginBody = JSON.stringify({ name: 'bench', password });
    const loginSpec = {
      url: `${url}/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: loginBody,
    };
    const { warmup, duration } = runner.options;

    say(`  (1) GET /user, ${USER_CONNECTIONS} connections (${warmup} s warm-up + ${duration} s)`);
    result.getUser = await runner.measure(child, userSpec);
    result.problems.push(...loadProblems('service GET /user', result.getUser, [200]));
    say(`      ${describe(result.getUser)}; RSS now ${megabytes(result.getUser.rssAfterKb)}`);

    result.login = await measureLogin(runner, child, loginSpec, result.problems);
    result.isolation = await measureFlood(runner, child, userSpec, loginSpec, result.problems);

    result.peakRssKb = await child.memoryKb('VmHWM');
  } catch (error) {
    error.tail ??= await child.tail();
    throw error;
  } finally {
    await runner.stopChecked(child, result.problems, 'service');
  }
  result.log = await logStats(child.logFile);
  say(`  request log: ${num(result.log.bytes / 1e6, 1)} MB, ${num(result.log.lines)} lines`);
  return result;
}
