import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What the lookup reads of the machine; the real one by default, a fake in its unit test. */
export interface ChromiumLookupHost {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  isExecutable: (path: string) => boolean;
}

/** The names Chromium and Google Chrome are installed under by Linux packages, searched on PATH. */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** Where the macOS installers put them, under /Applications or the user's own ~/Applications. */
const MAC_APPS = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium'];

const realHost: ChromiumLookupHost = {
  env: process.env,
  platform: process.platform,
  isExecutable: (path) => {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
};

/**
 * The Chromium (or Google Chrome) executable for the browser tests: the one CHROMIUM_PATH names
 * (then nothing else, so a wrong value is reported, not worked around), else Debian's
 * /usr/bin/chromium, else the first of CHROMIUM_NAMES on PATH, else the macOS applications.
 * Throws, naming where it looked and how to install one, when there is none.
 */
export function findChromium(host: ChromiumLookupHost = realHost): string {
  const { env, platform, isExecutable } = host;
  const chosen = env.CHROMIUM_PATH;
  if (chosen !== undefined && chosen !== '') {
    if (isExecutable(chosen)) {
      return chosen;
    }
    throw new Error(`CHROMIUM_PATH is ${chosen}, which is not an executable file.`);
  }
  const directories = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = [
    '/usr/bin/chromium',
    ...CHROMIUM_NAMES.flatMap((name) => directories.map((directory) => join(directory, name))),
    ...(platform === 'darwin'
      ? MAC_APPS.flatMap((app) => [
          join('/Applications', app),
          ...(env.HOME ? [join(env.HOME, 'Applications', app)] : []),
        ])
      : []),
  ];
  const found = candidates.find(isExecutable);
  if (found !== undefined) {
    return found;
  }
  const install =
    platform === 'darwin'
      ? 'install Google Chrome (https://www.google.com/chrome/) or "brew install --cask chromium"'
      : 'run "sudo apt-get install -y chromium" (Debian/Ubuntu) or install Google Chrome';
  throw new Error(
    `Chromium was not found: looked for /usr/bin/chromium, ${CHROMIUM_NAMES.join(', ')} on PATH` +
      `${platform === 'darwin' ? ' and Google Chrome.app or Chromium.app in /Applications' : ''}. ` +
      `The browser tests need Chromium or Google Chrome: ${install}, or set CHROMIUM_PATH to its executable.`,
  );
}
