import type { KeyObject } from 'node:crypto';
import { Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Env } from '../config/env.schema.js';
import { resolveSigningSecret } from '../config/jwt-secret.js';
import { DatabaseLock } from '../database/database-lock.js';
import { InstanceEvents } from '../redis/instance-events.js';
import { JwksController } from './jwks.controller.js';
import { deriveWrappingKey } from './key-material.js';
import { KeyStore } from './key-store.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { SigningKeys } from './signing-keys.js';

/** Injection token of JWT_SECRET (or the generated secret) as a crypto.KeyObject. */
export const SERVICE_SECRET = Symbol('SERVICE_SECRET');

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
        new Logger('SigningKeys').warn(warning);
      }
      return key;
    },
  },
  {
    provide: SigningKeys,
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
    ) => {
      const keyEncryptionSecret = config.get('KEY_ENCRYPTION_SECRET', { infer: true });
      return new SigningKeys(
        {
          algorithm: config.get('JWT_ALGORITHM', { infer: true }),
          secret,
          // A dedicated secret, or JWT_SECRET: either way not in the database the keys are in.
          wrappingKey: deriveWrappingKey(
            keyEncryptionSecret === undefined ? secret.export() : Buffer.from(keyEncryptionSecret, 'utf8'),
          ),
          durations: config.get('durations', { infer: true }),
          maintain,
        },
        store,
        lock,
        events,
      );
    },
  },
];

/**
 * The signing keys (SigningKeys) and the JWKS that publishes them. The service imports the module
 * itself (AuthModule signs and verifies with them); the operators' CLI imports forCli(), which
 * changes keys only when told (`npm run keys`), never by itself.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity])],
  controllers: [JwksController],
  providers: keyProviders(true),
  exports: [SigningKeys],
})
export class KeysModule {
  static forCli(): DynamicModule {
    return {
      module: KeysModule,
      imports: [TypeOrmModule.forFeature([SigningKeyEntity])],
      controllers: [],
      providers: keyProviders(false),
      exports: [SigningKeys],
    };
  }
}
