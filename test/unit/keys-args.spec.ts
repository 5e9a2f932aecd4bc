import { describe, expect, it } from '@jest/globals';
import { CliError } from '../../src/cli/cli-error.js';
import { parseKeysArgs } from '../../src/cli/keys-args.js';

// A real thumbprint may start with "-": one in 64 does (base64url's alphabet ends with - and _).
const DASHED_KID = '-naKl2Gm2-lgX9WcbSMibz2HpP5WtB85ZN_5sgYuCac';

describe('parseKeysArgs', () => {
  it.each([
    [['list'], { command: 'list' }],
    [['rotate'], { command: 'rotate', now: false }],
    [['rotate', '--now'], { command: 'rotate', now: true }],
    [['--now', 'rotate'], { command: 'rotate', now: true }],
    [
      ['revoke', 'rQ6AG3QTPUtx5gmqSkV9t2jPSVAws0iUXzPHSshJ1oY'],
      { command: 'revoke', kid: 'rQ6AG3QTPUtx5gmqSkV9t2jPSVAws0iUXzPHSshJ1oY' },
    ],
    [['revoke', DASHED_KID], { command: 'revoke', kid: DASHED_KID }],
    [['revoke', '--', '-x'], { command: 'revoke', kid: '-x' }],
    [['--help'], { command: 'help' }],
    [['help'], { command: 'help' }],
  ])('should read %p', (argv, expected) => {
    expect(parseKeysArgs(argv)).toEqual(expected);
  });

  it.each([
    [[], 'missing command'],
    [['revoke'], 'revoke needs one KID'],
    [['revoke', 'a', 'b'], 'revoke needs one KID'],
    [['revoke', '-x'], 'unknown option "-x"'],
    [['rotate', '--secret=hunter2'], 'unknown option "--secret"'],
    [['list', '--now'], '--now is only for rotate'],
  ])('should refuse %p as a usage error, never echoing an option’s value', (argv, message) => {
    expect(() => parseKeysArgs(argv)).toThrow(new CliError(message, 1));
  });
});
