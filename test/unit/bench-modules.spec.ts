import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const BENCH = join(import.meta.dirname, '..', '..', 'bench');

/** The relative imports of every module of bench/, as paths relative to bench/. */
function benchImports(): Map<string, string[]> {
  const files = readdirSync(BENCH, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.mjs') && !file.startsWith('results'),
  );
  return new Map(
    files.map((file) => {
      const source = readFileSync(join(BENCH, file), 'utf8');
      const targets = [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/gms)].map(
        ([, target]) => relative(BENCH, resolve(BENCH, dirname(file), target)),
      );
      return [file, targets];
    }),
  );
}

describe('bench/', () => {
  it('should have modules that import one another without a cycle', () => {
    const graph = benchImports();
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') {
        return;
      }
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const target of graph.get(file) ?? []) {
        visit(target, [...path, file]);
      }
      state.set(file, 'done');
    };
    for (const file of graph.keys()) {
      visit(file, []);
    }

    expect(graph.get('bench.mjs')).toContain('report/write.mjs');
    expect(cycles).toEqual([]);
  });
});
