import type { KeyObject } from 'node:crypto';
import { Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Env } from '../config/env.schema.js';
import { resolveSigningSecret } from '../config/jwt-secret.js';
import { DatabaseLock } from '../database/database-lock.js';
import { InstanceEvents } from '../redis/instance-events.js';
import { JwksController } from './jwks.controller.js';
import { deriveWrappingKey, type SigningAlgorithm } from './key-material.js';
import { KeyStore } from './key-store.js';
import { KeyActions, NoStoredKeyActions } from './key-actions.js';
import { KeyMaintenance } from './key-maintenance.js';
import { KEYS_LOG_CONTEXT, KeyRing } from './key-ring.js';
import { SecretKeyRing } from './secret-key-ring.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { StoredKeyActions } from './stored-key-actions.js';
import { StoredKeyRing, type StoredKeysOptions } from './stored-key-ring.js';

/** Injection token of JWT_SECRET (or the generated secret) as a crypto.KeyObject. */
export const SERVICE_SECRET = Symbol('SERVICE_SECRET');

/** The keys JWT_ALGORITHM calls for, built once and handed out by role (keyProviders). */
export interface Keys {
  ring: KeyRing;
  actions: KeyActions;
  /** Stored keys only: JWT_SECRET needs no keeping. */
  maintenance: KeyMaintenance | null;
}
const KEYS = Symbol('KEYS');

/**
 * The one place that tells HS256 from stored keys. `secret`: JWT_SECRET (or the generated one),
 * the HS256 key; `wrappingSecret`: KEY_ENCRYPTION_SECRET, else JWT_SECRET too.
 */
export function keysFor(
  settings: {
    algorithm: SigningAlgorithm;
    secret: KeyObject;
    wrappingSecret?: string;
    durations: StoredKeysOptions['durations'];
    maintain: boolean;
  },
  store: KeyStore,
  lock: DatabaseLock,
  events?: InstanceEvents,
): Keys {
  const { algorithm, secret, wrappingSecret, durations, maintain } = settings;
  if (algorithm === 'HS256') {
    return { ring: new SecretKeyRing(secret), actions: new NoStoredKeyActions(), maintenance: null };
  }
  const options: StoredKeysOptions = {
    algorithm,
    // A dedicated secret, or JWT_SECRET: either way not in the database the keys are in.
    wrappingKey: deriveWrappingKey(
      wrappingSecret === undefined ? secret.export() : Buffer.from(wrappingSecret, 'utf8'),
    ),
    durations,
  };
  const ring = new StoredKeyRing(options, store, events);
  const maintenance = new KeyMaintenance({ ...options, maintain }, ring, store, lock);
  return { ring, maintenance, actions: new StoredKeyActions(options, ring, maintenance, store, lock) };
}

/**
 * The providers of both uses. `maintain`: create the first and the next keys when due (the
 * service), or only when told (the CLI).
 */
const keyProviders = (maintain: boolean): Provider[] => [
  KeyStore,
  {
    provide: SERVICE_SECRET,
    inject: [ConfigService],
    useFactory: (config: ConfigService<Env, true>) => {
      const { key, warning } = resolveSigningSecret({
        JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
        DATA_DIR: config.get('DATA_DIR', { infer: true }),
      });
      if (warning !== undefined) {
        new Logger(KEYS_LOG_CONTEXT).warn(warning);
      }
      return key;
    },
  },
  {
    provide: KEYS,
    inject: [
      ConfigService,
      SERVICE_SECRET,
      KeyStore,
      DatabaseLock,
      { token: InstanceEvents, optional: true },
    ],
    useFactory: (
      config: ConfigService<Env, true>,
      secret: KeyObject,
      store: KeyStore,
      lock: DatabaseLock,
      events?: InstanceEvents,
    ): Keys =>
      keysFor(
        {
          algorithm: config.get('JWT_ALGORITHM', { infer: true }),
          secret,
          wrappingSecret: config.get('KEY_ENCRYPTION_SECRET', { infer: true }),
          durations: config.get('durations', { infer: true }),
          maintain,
        },
        store,
        lock,
        events,
      ),
  },
  { provide: KeyRing, inject: [KEYS], useFactory: (keys: Keys) => keys.ring },
  { provide: KeyActions, inject: [KEYS], useFactory: (keys: Keys) => keys.actions },
  // Its own provider, for Nest to start and stop it; null with HS256 (Nest calls no hook on null).
  { provide: KeyMaintenance, inject: [KEYS], useFactory: (keys: Keys) => keys.maintenance },
];

/**
 * The signing keys and the JWKS that publishes them: a KeyRing to sign and verify with (AuthModule)
 * and the operators' KeyActions, both chosen by JWT_ALGORITHM. The service imports the module
 * itself; the operators' CLI imports forCli(), which changes keys only when told (`npm run keys`),
 * never by itself.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity])],
  controllers: [JwksController],
  providers: keyProviders(true),
  exports: [KeyRing, KeyActions],
})
export class KeysModule {
  static forCli(): DynamicModule {
    return {
      module: KeysModule,
      imports: [TypeOrmModule.forFeature([SigningKeyEntity])],
      controllers: [],
      providers: keyProviders(false),
      exports: [KeyRing, KeyActions],
    };
  }
}
