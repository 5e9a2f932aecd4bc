import { describe, expect, it } from '@jest/globals';
import { migrationState } from '../../src/health/migration-state.js';

describe('migrationState', () => {
  it('should find nothing pending when the database holds every migration this release knows', () => {
    expect(migrationState(['A1', 'B2'], ['B2', 'A1'])).toEqual({ pending: [], newer: [], applied: 2 });
  });

  it('should list what this release knows and the database lacks as pending', () => {
    expect(migrationState(['A1', 'B2', 'C3'], ['A1'])).toEqual({
      pending: ['B2', 'C3'],
      newer: [],
      applied: 1,
    });
    expect(migrationState(['A1'], []).pending).toEqual(['A1']);
  });

  it("should list a newer release's migrations apart, as not pending", () => {
    expect(migrationState(['A1'], ['A1', 'D4'])).toEqual({ pending: [], newer: ['D4'], applied: 2 });
  });
});
