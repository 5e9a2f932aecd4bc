import { describe, expect, it } from '@jest/globals';
import { findChromium, type ChromiumLookupHost } from '../../test/support/chromium-path.js';

/** A machine whose only executables are `files`. */
const machine = (
  files: string[],
  env: Record<string, string | undefined> = { PATH: '/usr/local/bin:/usr/bin:/bin' },
  platform: NodeJS.Platform = 'linux',
): ChromiumLookupHost => ({ env, platform, isExecutable: (path) => files.includes(path) });

describe('findChromium', () => {
  it('should take CHROMIUM_PATH first, and only it', () => {
    const host = machine(['/opt/chrome/chrome', '/usr/bin/chromium'], {
      CHROMIUM_PATH: '/opt/chrome/chrome',
    });
    expect(findChromium(host)).toBe('/opt/chrome/chrome');
    expect(() => findChromium(machine(['/usr/bin/chromium'], { CHROMIUM_PATH: '/nope' }))).toThrow(
      'CHROMIUM_PATH is /nope, which is not an executable file.',
    );
  });

  it("should take Debian's /usr/bin/chromium next", () => {
    expect(findChromium(machine(['/usr/bin/chromium', '/usr/local/bin/google-chrome']))).toBe(
      '/usr/bin/chromium',
    );
  });

  it.each([
    ['/usr/local/bin/chromium'],
    ['/usr/bin/chromium-browser'],
    ['/bin/google-chrome'],
    ['/usr/local/bin/google-chrome-stable'],
  ])('should find %s on PATH', (path) => {
    expect(findChromium(machine([path]))).toBe(path);
  });

  it('should prefer Chromium to Google Chrome, and the earlier PATH entry for one name', () => {
    expect(findChromium(machine(['/usr/local/bin/google-chrome', '/bin/chromium']))).toBe('/bin/chromium');
    expect(findChromium(machine(['/bin/chromium', '/usr/local/bin/chromium']))).toBe(
      '/usr/local/bin/chromium',
    );
  });

  it.each([
    ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'],
    ['/Applications/Chromium.app/Contents/MacOS/Chromium'],
    ['/Users/ada/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'],
  ])('should find %s on macOS', (path) => {
    expect(findChromium(machine([path], { PATH: '/usr/bin:/bin', HOME: '/Users/ada' }, 'darwin'))).toBe(path);
  });

  it('should not look in /Applications on Linux', () => {
    const chrome = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    expect(() => findChromium(machine([chrome]))).toThrow(/not found/);
  });

  it('should fail with where it looked and the install hint', () => {
    expect(() => findChromium(machine([]))).toThrow(
      /looked for \/usr\/bin\/chromium, chromium, chromium-browser, google-chrome, google-chrome-stable on PATH\..*apt-get install -y chromium.*CHROMIUM_PATH/,
    );
    expect(() => findChromium(machine([], { PATH: '' }, 'darwin'))).toThrow(
      /Google Chrome\.app.*brew install --cask chromium/,
    );
  });
});
