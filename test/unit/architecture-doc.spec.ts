import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { LAYERS } from '../../eslint.layers.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const DOC = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');

/** The text of one `## ` section of the page, up to the next. */
function section(title: string): string {
  const start = DOC.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, end < 0 ? undefined : end);
}

/** The folder names written as `name/` in a piece of text, in order. */
const folders = (text: string) => [...text.matchAll(/`(?:src\/)?([a-z-]+)\/`/g)].map(([, name]) => name);

/** The rows of the first Markdown table of a section, as cells (header and rule rows left out). */
const rows = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );

const layerRows = rows(section('Layers')).map(([folder, layer, imports]) => ({
  folder: folders(folder)[0],
  layer,
  imports: folders(imports),
}));

describe('docs/architecture.md against eslint.layers.mjs', () => {
  it('should have one layer row per folder of LAYERS, and no other', () => {
    expect(layerRows.map(({ folder }) => folder).sort()).toEqual(Object.keys(LAYERS).sort());
  });

  it.each(Object.entries(LAYERS))('should give %s/ exactly the imports LAYERS allows', (folder, allowed) => {
    const row = layerRows.find((candidate) => candidate.folder === folder);
    expect(row?.imports.sort()).toEqual([...allowed].sort());
  });

  it('should keep base folders free of features', () => {
    const features = new Set(
      layerRows.filter(({ layer }) => layer === 'feature').map(({ folder }) => folder),
    );
    for (const { folder, layer, imports } of layerRows) {
      expect(['feature', 'base']).toContain(layer);
      if (layer === 'base') {
        expect([folder, imports.filter((name) => features.has(name))]).toEqual([folder, []]);
      }
    }
  });

  it("should name each folder in its layer's line of the diagram", () => {
    const diagram = DOC.slice(DOC.indexOf('```\ncomposition roots'), DOC.indexOf('## Layers'));
    // A layer's line runs until the arrow below it.
    const line = (label: string) =>
      diagram.slice(diagram.indexOf(label), diagram.indexOf('│', diagram.indexOf(label)));
    const inDiagram = (label: string) =>
      [...line(label).matchAll(/\b([a-z-]+)\//g)].map(([, name]) => name).sort();
    const ofLayer = (layer: string) =>
      layerRows
        .filter((row) => row.layer === layer)
        .map(({ folder }) => folder)
        .sort();
    expect(inDiagram('features')).toEqual(ofLayer('feature'));
    expect(inDiagram('base')).toEqual(ofLayer('base'));
    expect(inDiagram('composition roots')).toEqual(['cli']);
  });

  it('should say where each folder of src/ lives', () => {
    const listed = rows(section('Where things live')).flatMap(([folder]) => folders(folder));
    const actual = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map(({ name }) => name);
    expect(listed.filter((name) => actual.includes(name)).sort()).toEqual(actual.sort());
  });
});
