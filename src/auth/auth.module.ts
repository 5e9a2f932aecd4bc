import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import type { Env } from '../config/env.schema.js';
import { NoBodyGuard } from '../common/guards/no-body.guard.js';
import { KeysModule } from '../keys/keys.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { RolesGuard } from './guards/roles.guard.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';

@Module({
  imports: [
    UsersModule,
    SessionsModule,
    ThrottlingModule,
    PassportModule,
    KeysModule,
    MfaModule,
    PasskeysModule,
    JwtModule.registerAsync({
      inject: [ConfigService],
      // The key and its algorithm are the active signing key's, given per token (AuthService).
      useFactory: (config: ConfigService<Env, true>) => ({
        signOptions: {
          expiresIn: config.get('ACCESS_TOKEN_TTL', { infer: true }),
          issuer: config.get('JWT_ISSUER', { infer: true }),
          audience: config.get('JWT_AUDIENCE', { infer: true }),
        },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    JwtStrategy,
    // Global guards run in the order they are registered: RolesGuard needs JwtAuthGuard's user,
    // and NoBodyGuard's 400 comes after both, so that a request without a valid token is a 401.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: NoBodyGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
