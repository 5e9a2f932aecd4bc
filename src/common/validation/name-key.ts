/**
 * Folds an account name for lookups, uniqueness and per-account throttling: Unicode NFC, then
 * lower case, so that "Admin" and "admin" are one account and one throttle.
 */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}
