// `prestart:prod` and `preusers`: builds the project first when what those scripts run is missing
// or older than its sources, so that they work on a fresh clone and after a `git pull` alike.
// `npm start` always builds; this is for the scripts that run dist/ directly.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
/** What `npm run build` produces and the scripts run. */
const OUTPUTS = ['dist/bundle/main.js', 'dist/cli/users.cli.js', 'dist/cli/keys.cli.js'];
/** What the build reads besides node_modules (whose changes come with package-lock.json). */
const INPUTS = ['src', 'package-lock.json', 'tsconfig.json', 'nest-cli.json', 'scripts/bundle.mjs'];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), 0);
}

function reasonToBuild() {
  const missing = OUTPUTS.find((output) => !existsSync(join(ROOT, output)));
  if (missing !== undefined) {
    return `${missing} does not exist`;
  }
  const built = Math.min(...OUTPUTS.map((output) => statSync(join(ROOT, output)).mtimeMs));
  // A production image may ship dist/ without the sources: nothing to compare, nothing to do.
  const stale = INPUTS.find(
    (input) => existsSync(join(ROOT, input)) && newestMtime(join(ROOT, input)) > built,
  );
  return stale === undefined ? undefined : `${stale} changed since the last build`;
}

const reason = reasonToBuild();
if (reason !== undefined) {
  console.error(`${reason}: running npm run build first`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { status, error } = spawnSync(npm, ['run', '-s', 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (error !== undefined || status !== 0) {
    console.error('error: the build failed; fix it, or run npm run build to see why');
    process.exit(status ?? 1);
  }
}
