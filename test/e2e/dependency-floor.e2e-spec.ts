// Nothing here boots the app; set anyway, like every e2e file, in case one ever does.
process.env.LOGIN_RATE_LIMIT = '1000000';
process.env.LOGIN_FAILURE_LIMIT = '1000000';

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The first versions without the published vulnerabilities of the JWT stack. `npm audit` cannot
 * reach its service here, so the floor is kept by hand: raise it when an advisory is published.
 * Each entry is [major line, lowest fixed version in it]; a major line not listed is refused.
 */
const FLOORS: Record<string, { why: string; fixed: [number, string][] }> = {
  jsonwebtoken: {
    // Insecure key types and algorithms, weak keys, unrestricted key type (all fixed in 9.0.0).
    why: 'CVE-2022-23529, CVE-2022-23539, CVE-2022-23540, CVE-2022-23541',
    fixed: [[9, '9.0.0']],
  },
  jws: {
    // CVE-2016-1000223 (alg from the header) was fixed in 3.0.0; GHSA-869p-cjfg-cm3x (HMAC
    // verification with a non-string secret) in 3.2.3 and 4.0.1.
    why: 'CVE-2016-1000223, GHSA-869p-cjfg-cm3x',
    fixed: [
      [3, '3.2.3'],
      [4, '4.0.1'],
    ],
  },
  'passport-jwt': {
    // 4.0.1 moved to jsonwebtoken 9, which carries the fixes above.
    why: 'jsonwebtoken < 9 (the CVE-2022-2352x series)',
    fixed: [[4, '4.0.1']],
  },
};

interface NpmTree {
  version?: string;
  dependencies?: Record<string, NpmTree>;
}

/** Every installed copy of `name` in npm's tree, by path, e.g. `@nestjs/jwt > jsonwebtoken`. */
function copiesOf(tree: NpmTree, name: string, path: string[] = []): { path: string; version: string }[] {
  return Object.entries(tree.dependencies ?? {}).flatMap(([dependency, subtree]) => [
    ...(dependency === name && subtree.version !== undefined
      ? [{ path: [...path, dependency].join(' > '), version: subtree.version }]
      : []),
    ...copiesOf(subtree, name, [...path, dependency]),
  ]);
}

/** The numeric core of a version: `9.0.3` or `4.0.1-beta.1` gives [9, 0, 3] or [4, 0, 1]. */
const core = (version: string) => version.split(/[-+]/)[0].split('.').map(Number);

/** Negative, zero or positive as a < b, a == b or a > b (a prerelease counts as its release). */
function compareVersions(a: string, b: string): number {
  const [x, y] = [core(a), core(b)];
  for (let i = 0; i < 3; i++) {
    if (x[i] !== y[i]) {
      return x[i] - y[i];
    }
  }
  return 0;
}

function meetsFloor(name: string, version: string): boolean {
  const line = FLOORS[name].fixed.find(([major]) => major === core(version)[0]);
  if (line === undefined) {
    // Below every listed line is vulnerable; above them is a release nobody has vetted here yet.
    return core(version)[0] > Math.max(...FLOORS[name].fixed.map(([major]) => major));
  }
  // A prerelease of the fixed version is not the fixed version.
  return (
    compareVersions(version, line[1]) > 0 ||
    (compareVersions(version, line[1]) === 0 && !version.includes('-'))
  );
}

function npmTree(): NpmTree {
  const args = ['ls', '--json', '--all', ...Object.keys(FLOORS)];
  try {
    return JSON.parse(execFileSync('npm', args, { cwd: ROOT, encoding: 'utf8' })) as NpmTree;
  } catch (error) {
    // npm ls exits non-zero for an extraneous or invalid package elsewhere in the tree; its JSON
    // on stdout is still the tree.
    const stdout = (error as { stdout?: string }).stdout;
    if (stdout === undefined || stdout === '') {
      throw error;
    }
    return JSON.parse(stdout) as NpmTree;
  }
}

describe('Dependency floor', () => {
  describe('compareVersions', () => {
    it.each([
      ['9.0.0', '9.0.0', 0],
      ['9.0.3', '9.0.0', 1],
      ['8.5.1', '9.0.0', -1],
      ['4.0.10', '4.0.9', 1],
      ['3.2.2', '3.2.3', -1],
      ['10.0.0', '9.9.9', 1],
    ])('should compare %s with %s as %d', (a, b, sign) => {
      expect(Math.sign(compareVersions(a, b))).toBe(sign);
    });

    it('should hold each line to its own fix', () => {
      expect(meetsFloor('jws', '3.2.3')).toBe(true);
      expect(meetsFloor('jws', '3.2.2')).toBe(false);
      expect(meetsFloor('jws', '4.0.0')).toBe(false);
      expect(meetsFloor('jws', '4.0.1')).toBe(true);
      expect(meetsFloor('jws', '2.0.0')).toBe(false);
      expect(meetsFloor('jsonwebtoken', '8.5.1')).toBe(false);
      expect(meetsFloor('jsonwebtoken', '9.0.0-beta.1')).toBe(false);
      expect(meetsFloor('passport-jwt', '4.0.0')).toBe(false);
    });
  });

  describe('npm ls', () => {
    let tree: NpmTree;

    beforeAll(() => {
      tree = npmTree();
    });

    it.each(Object.keys(FLOORS))('should find %s installed, every copy at or above its floor', (name) => {
      const copies = copiesOf(tree, name);
      expect(copies.length).toBeGreaterThan(0);
      const below = copies.filter(({ version }) => !meetsFloor(name, version));
      // The message names each vulnerable copy, where it comes from, and the advisories.
      expect(below.map(({ path, version }) => `${path}@${version} (${FLOORS[name].why})`)).toEqual([]);
    });
  });
});
