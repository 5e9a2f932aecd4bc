import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { LAYERS, layerRules, ROOTS } from '../../eslint.layers.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const FOLDERS = Object.keys(LAYERS);
// Only the layer rules, on espree: what is checked is the import direction, not the rest of the config.
const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: true, overrideConfig: layerRules });

/** The messages ESLint gives `source` as if it were a file of src/<folder>/, `depth` folders down. */
async function lint(folder: string, source: string, depth = 0): Promise<string[]> {
  const filePath = join(ROOT, 'src', folder, ...Array<string>(depth).fill('nested'), 'probe.ts');
  const [result] = await eslint.lintText(source, { filePath });
  return result.messages.map(({ ruleId, message }) => `${ruleId}: ${message}`);
}

/** An import of src/<target>/x.js from a file `depth` folders below src/<folder>/. */
const importOf = (target: string, depth = 0) =>
  `import { x } from '${'../'.repeat(depth + 1)}${target}/x.js';\n`;

const forbidden = FOLDERS.flatMap((folder) =>
  [...FOLDERS, 'cli']
    .filter((target) => target !== folder && !LAYERS[folder].includes(target))
    .map((target) => [folder, target]),
);
const allowed = FOLDERS.flatMap((folder) => LAYERS[folder].map((target) => [folder, target]));

describe('the import direction (eslint.layers.mjs)', () => {
  it('should have a rule for every folder of src/ but the composition roots', () => {
    expect(FOLDERS.sort()).toEqual(
      [
        'admin',
        'audit',
        'auth',
        'common',
        'config',
        'database',
        'docs',
        'health',
        'keys',
        'mfa',
        'logging',
        'mail',
        'metrics',
        'pages',
        'passkeys',
        'redis',
        'sessions',
        'throttling',
        'tracing',
        'users',
      ].sort(),
    );
  });

  it.each(forbidden)('should refuse, from %s/, an import of %s/', async (folder, target) => {
    for (const depth of [0, 2]) {
      const messages = await lint(folder, importOf(target, depth), depth);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(
        /^no-restricted-imports: .*src\/\w+\/ (may import only from|imports no other)/,
      );
    }
  });

  it.each(allowed)('should allow, from %s/, an import of %s/', async (folder, target) => {
    await expect(lint(folder, importOf(target))).resolves.toEqual([]);
    await expect(lint(folder, importOf(target, 2), 2)).resolves.toEqual([]);
  });

  it.each(FOLDERS)('should refuse, from %s/, an import of a composition root', async (folder) => {
    for (const root of ROOTS) {
      const messages = await lint(folder, `import { x } from '../${root}.js';\n`);
      expect(messages).toEqual([expect.stringContaining('must not import a composition root')]);
    }
  });

  it.each([
    ['users', 'auth'],
    ['sessions', 'auth'],
    ['sessions', 'users'],
    ['throttling', 'users'],
    ['common', 'auth'],
    ['common', 'throttling'],
    ['database', 'users'],
    ['database', 'sessions'],
    ['redis', 'sessions'],
    ['redis', 'throttling'],
  ])('should keep %s/ from importing %s/ (the arrows issue 10 straightened)', async (folder, target) => {
    await expect(lint(folder, importOf(target))).resolves.toHaveLength(1);
  });

  it('should name what the folder may import, and why', async () => {
    await expect(lint('users', importOf('auth'))).resolves.toEqual([
      "no-restricted-imports: '../auth/x.js' import is restricted from being used by a pattern. " +
        'src/users/ may import only from sessions/, mail/, throttling/, common/, config/, database/, logging/, ' +
        'metrics/, docs/, redis/, tracing/: arrows point down (docs/architecture.md).',
    ]);
  });

  it('should allow the folder its own files and any package', async () => {
    const source =
      "import { a } from './a.js';\nimport { b } from '../dto/b.js';\nimport { c } from '@nestjs/common';\n";
    await expect(lint('users', source, 1)).resolves.toEqual([]);
  });

  it('should refuse type-only and re-exporting imports too', async () => {
    await expect(lint('common', "import type { X } from '../../auth/x.js';\n", 1)).resolves.toHaveLength(1);
    await expect(lint('sessions', "export { x } from '../users/x.js';\n")).resolves.toHaveLength(1);
  });
});
