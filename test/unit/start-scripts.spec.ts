import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { productionLaunch } from '../../scripts/lib/service-process.mjs';

const { scripts } = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
) as {
  scripts: Record<string, string>;
};

describe("package.json's start scripts", () => {
  it('should run the service in `npm start` with the Node.js flags of start:prod', () => {
    // start leaves out start:prod's NAME=value prefix, which Windows' cmd.exe cannot run: the quick
    // start works everywhere, and the flags cannot drift apart.
    const { nodeFlags } = productionLaunch();
    expect(scripts.start).toBe(`npm run -s build && node ${nodeFlags.join(' ')} dist/bundle/main.js`);
  });

  it("should give start:prod glibc's malloc settings (docs/decisions.md) and V8's heap sizes", () => {
    expect(productionLaunch()).toEqual({
      env: { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' },
      nodeFlags: ['--max-semi-space-size=8', '--max-old-space-size=128', '--v8-pool-size=1'],
    });
  });
});
