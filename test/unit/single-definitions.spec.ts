import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { isObject } from '../../src/common/validation/is-object.js';

const SRC = join(import.meta.dirname, '../../src');

/** Every .ts file under src/, as [path relative to src/, text]. */
const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((path) => path.endsWith('.ts'))
  .map((path) => [relative(SRC, join(SRC, path)), readFileSync(join(SRC, path), 'utf8')] as const);

/** The files of src/ whose text matches, but the one allowed to. */
const holders = (pattern: RegExp, owner: string) =>
  sources.filter(([path, text]) => path !== owner && pattern.test(text)).map(([path]) => path);

describe('definitions that live once', () => {
  it('should read the Bearer scheme in bearer-token.extractor.ts only', () => {
    expect(holders(/\/\^Bearer/i, 'auth/strategies/bearer-token.extractor.ts')).toEqual([]);
  });

  it('should test for a JSON object with isObject() only', () => {
    expect(
      holders(/null && !Array\.isArray\(|null \|\| Array\.isArray\(/, 'common/validation/is-object.ts'),
    ).toEqual([]);
  });
});

describe('exported names', () => {
  it('should each name one thing: no two files of src/ export the same name', () => {
    const files = new Map<string, Set<string>>();
    for (const [path, text] of sources) {
      for (const [, name] of text.matchAll(
        /^export (?:declare )?(?:abstract )?(?:interface|type|class|enum|const|let|function|async function) (\w+)/gm,
      )) {
        files.set(name, (files.get(name) ?? new Set()).add(path));
      }
    }
    const shared = [...files]
      .filter(([, paths]) => paths.size > 1)
      .map(([name, paths]) => `${name}: ${[...paths].join(', ')}`);
    expect(shared).toEqual([]);
  });
});

describe('isObject', () => {
  it.each([
    [{}, true],
    [{ a: 1 }, true],
    [null, false],
    [[], false],
    ['{}', false],
    [1, false],
    [undefined, false],
  ])('should read %j as %s', (value, expected) => {
    expect(isObject(value)).toBe(expected);
  });
});
