import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  GENERATED_SECRET_FILE,
  publishedSecretSource,
  resolveSigningSecret,
} from '../../src/config/jwt-secret.js';
import { estimateEntropyBits, MIN_SECRET_BITS } from '../../src/config/secret-strength.js';
import { PRODUCTION_SECRET } from '../support/secrets.js';

const SECRET = PRODUCTION_SECRET;

describe('resolveSigningSecret', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-unit-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('with JWT_SECRET', () => {
    it('should return a secret KeyObject holding that value, without a warning', () => {
      const { key, warning } = resolveSigningSecret({ JWT_SECRET: SECRET, DATA_DIR: dataDir });
      expect(key.type).toBe('secret');
      expect(key.export().toString('utf8')).toBe(SECRET);
      expect(warning).toBeUndefined();
    });

    it('should not write a secret file', () => {
      resolveSigningSecret({ JWT_SECRET: SECRET, DATA_DIR: dataDir });
      expect(() => statSync(join(dataDir, GENERATED_SECRET_FILE))).toThrow();
    });

    it('should warn about a published secret without quoting it', () => {
      const published = 'change-me-to-a-random-string-of-at-least-32-bytes';
      const { key, warning } = resolveSigningSecret({ JWT_SECRET: published, DATA_DIR: dataDir });
      expect(key.export().toString('utf8')).toBe(published);
      expect(warning).toMatch(/JWT_SECRET is a published secret/);
      expect(warning).not.toContain(published);
    });

    it('should warn, outside production, of a guessable secret, without quoting it', () => {
      const guessable = 'thisismysupersecretkeythatnobodywillguess';
      const { key, warning } = resolveSigningSecret({ JWT_SECRET: guessable, DATA_DIR: dataDir });
      expect(key.export().toString('utf8')).toBe(guessable);
      expect(warning).toContain('JWT_SECRET must be random');
      expect(warning).toContain('openssl rand -base64 48');
      expect(warning).toContain('production refuses it');
      expect(warning).not.toContain(guessable);
    });
  });

  describe('without JWT_SECRET', () => {
    it('should generate a secret file readable by the owner only and warn about it', () => {
      const { key, warning } = resolveSigningSecret({ DATA_DIR: dataDir });
      const file = join(dataDir, GENERATED_SECRET_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const stored = readFileSync(file, 'utf8');
      expect(Buffer.byteLength(stored)).toBeGreaterThanOrEqual(32);
      expect(key.type).toBe('secret');
      expect(key.export().toString('utf8')).toBe(stored);
      expect(warning).toContain('JWT_SECRET is not set');
      expect(warning).toContain(file);
      expect(warning).not.toContain(stored);
    });

    it('should create a missing data directory', () => {
      const nested = join(dataDir, 'a', 'b');
      resolveSigningSecret({ DATA_DIR: nested });
      expect(statSync(join(nested, GENERATED_SECRET_FILE)).isFile()).toBe(true);
    });

    it('should return the same key on a second call', () => {
      const first = resolveSigningSecret({ DATA_DIR: dataDir });
      const second = resolveSigningSecret({ DATA_DIR: dataDir });
      expect(second.key.equals(first.key)).toBe(true);
      expect(second.warning).toBe(first.warning);
    });

    it('should use a secret file that already exists', () => {
      const stored = 'stored-secret-0123456789-abcdefghijklmnop';
      writeFileSync(join(dataDir, GENERATED_SECRET_FILE), `${stored}\n`, { mode: 0o600 });
      expect(resolveSigningSecret({ DATA_DIR: dataDir }).key.export().toString('utf8')).toBe(stored);
    });

    it('should refuse a stored secret shorter than 32 bytes', () => {
      const file = join(dataDir, GENERATED_SECRET_FILE);
      writeFileSync(file, 'x'.repeat(31), { mode: 0o600 });
      expect(() => resolveSigningSecret({ DATA_DIR: dataDir })).toThrow(
        `${file} must hold a secret of at least 32 bytes; delete it to generate a new one`,
      );
    });
  });
});

/** Every file the project shows secrets in: a value one of them shows must never be accepted. */
const SHOWN = ['README.md', '.env.example', 'docs', 'examples', 'postman'];

function shownFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) {
    // Lockfiles' integrity hashes are no one's example.
    return path.endsWith('package-lock.json') ? [] : [path];
  }
  return readdirSync(path).flatMap((entry) =>
    ['node_modules', 'dist'].includes(entry) ? [] : shownFiles(join(path, entry)),
  );
}

/**
 * What a reader could copy as a secret: the value given to anything named like a secret
 * (`JWT_SECRET=...`, `"jwtSecret": "..."`), and any whole word of 32 bytes or more made only of
 * what generated secrets are made of (base64, base64url, hex, words and dashes; not a file name).
 */
function shownSecrets(text: string): Set<string> {
  const found = new Set<string>();
  for (const [, value] of text.matchAll(/[A-Za-z_]*secret[A-Za-z_]*["']?\s*[=:]\s*["'`]?([^\s"'`,;]+)/gi)) {
    found.add(value);
  }
  for (const [value] of text.matchAll(/(?<![\w+/=~.-])[\w+/~-]{32,}={0,2}(?![\w+/=~.-])/g)) {
    found.add(value);
  }
  return found;
}

describe('the secrets the docs and examples show', () => {
  const shown = SHOWN.flatMap(shownFiles).flatMap((file) =>
    [...shownSecrets(readFileSync(file, 'utf8'))].map((value) => ({ file, value })),
  );

  it('should find the examples it is meant to find', () => {
    expect(shown.map(({ value }) => value)).toEqual(
      expect.arrayContaining(['change-me-to-a-random-string-of-at-least-32-bytes']),
    );
  });

  it('should refuse every one of them in production (published, or guessable)', () => {
    const accepted = shown.filter(
      ({ value }) =>
        Buffer.byteLength(value) >= 32 &&
        publishedSecretSource(value) === undefined &&
        estimateEntropyBits(value) >= MIN_SECRET_BITS,
    );
    // A new example secret: add its SHA-256 to PUBLISHED_SECRET_DIGESTS (src/config/jwt-secret.ts).
    expect(
      accepted.map(({ file, value }) => `${file}: ${createHash('sha256').update(value).digest('hex')}`),
    ).toEqual([]);
  });
});
