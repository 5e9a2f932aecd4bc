import { createSecretKey, randomBytes } from 'node:crypto';
import type { DatabaseLock } from '../../src/database/database-lock.js';
import type { KeyMaintenance } from '../../src/keys/key-maintenance.js';
import type { KeyAlgorithm, SigningAlgorithm } from '../../src/keys/key-material.js';
import type { KeyStore } from '../../src/keys/key-store.js';
import { keysFor, type Keys } from '../../src/keys/keys.module.js';
import type { SigningKeyEntity } from '../../src/keys/signing-key.entity.js';
import { StoredKeyActions } from '../../src/keys/stored-key-actions.js';
import { StoredKeyRing } from '../../src/keys/stored-key-ring.js';

const MIN = 60_000;
export const DURATIONS = {
  accessTokenAcceptedMs: 15 * MIN + 30_000,
  clockToleranceMs: 30_000,
  keyRotationMs: 30 * 24 * 60 * MIN,
  jwksMaxAgeMs: 5 * MIN,
  revocationPollMs: 2_000,
};

/** The signing_keys table as rows in memory, with what the store was asked counted. */
export class MemoryKeyStore {
  rows: SigningKeyEntity[] = [];
  reads = 0;
  all() {
    this.reads++;
    return Promise.resolve(this.rows.map((row) => ({ ...row })));
  }
  insert(row: SigningKeyEntity) {
    this.rows.push({ ...row });
    return Promise.resolve();
  }
  setActivatesAt(kid: string, at: Date) {
    this.rows.find((row) => row.kid === kid)!.activatesAt = at;
    return Promise.resolve();
  }
  revoke(kid: string, at: Date) {
    this.rows.find((row) => row.kid === kid)!.revokedAt = at;
    return Promise.resolve();
  }
}

/** The advisory lock as PostgreSQL gives it: one holder at a time, the others wait. */
let held: Promise<unknown> = Promise.resolve();
export const memoryLock = {
  run: <T>(_name: string, work: () => Promise<T>): Promise<T> => {
    const turn = held.then(work, work);
    held = turn.catch(() => undefined);
    return turn;
  },
} as unknown as DatabaseLock;

/** One process's stored keys, wired by keysFor() as KeysModule wires them. */
export interface StoredKeys {
  ring: StoredKeyRing;
  maintenance: KeyMaintenance;
  actions: StoredKeyActions;
}

const started: KeyMaintenance[] = [];

/** The keys one process makes of JWT_ALGORITHM and JWT_SECRET (a random one unless given), not started. */
export const keysOf = (
  store: MemoryKeyStore,
  {
    algorithm = 'ES256',
    secret = randomBytes(48),
    maintain = true,
  }: { algorithm?: SigningAlgorithm; secret?: Buffer; maintain?: boolean } = {},
): Keys =>
  keysFor(
    { algorithm, secret: createSecretKey(secret), durations: DURATIONS, maintain },
    store as unknown as KeyStore,
    memoryLock,
  );

/** Builds and starts one process's stored keys on `store`, as Nest starts KeysModule. */
export async function startStoredKeys(
  store: MemoryKeyStore,
  options: { algorithm?: KeyAlgorithm; secret?: Buffer; maintain?: boolean } = {},
): Promise<StoredKeys> {
  const { ring, maintenance, actions } = keysOf(store, options);
  if (!(ring instanceof StoredKeyRing) || !(actions instanceof StoredKeyActions) || maintenance === null) {
    throw new Error(`keysFor() made no stored keys for ${options.algorithm}`);
  }
  await maintenance.onModuleInit();
  started.push(maintenance);
  return { ring, maintenance, actions };
}

/** Stops every poller startStoredKeys started: call in afterEach. */
export function stopStoredKeys(): void {
  started.splice(0).forEach((maintenance) => maintenance.onModuleDestroy());
}

/** The kids a ring publishes, in order. */
export const publishedKids = (ring: { jwks(): string }) =>
  (JSON.parse(ring.jwks()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
