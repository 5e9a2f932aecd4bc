/** The migrations this release knows compared with those the database records as applied. */
export interface MigrationState {
  /** Known here, not applied: this release's queries may need what they create. */
  pending: string[];
  /** Applied, unknown here: a newer release migrated the shared database (rolling deploy). */
  newer: string[];
  applied: number;
}

export function migrationState(known: readonly string[], applied: readonly string[]): MigrationState {
  const appliedSet = new Set(applied);
  const knownSet = new Set(known);
  return {
    pending: known.filter((name) => !appliedSet.has(name)),
    newer: applied.filter((name) => !knownSet.has(name)),
    applied: applied.length,
  };
}
