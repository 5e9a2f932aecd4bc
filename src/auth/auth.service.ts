import { randomUUID } from 'node:crypto';
import { BadRequestException, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import type { Env } from '../config/env.schema.js';
import type { UserProfile } from '../users/user-profile.js';
import { UsersService } from '../users/users.service.js';
import type { LoginDto } from './dto/login.dto.js';

export interface LoginResult {
  token: string;
  tokenType: 'Bearer';
  /** Seconds until the token expires. */
  expiresIn: number;
}

/** One message for every failed login, so the answer never tells which part was wrong. */
export const INVALID_CREDENTIALS = 'invalid name or password';

@Injectable()
export class AuthService {
  private readonly ttl: number;

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    config: ConfigService<Env, true>,
  ) {
    this.ttl = config.get('ACCESS_TOKEN_TTL', { infer: true });
  }

  async login({ name, password }: LoginDto): Promise<LoginResult> {
    const user = await this.users.verifyCredentials(name, password);
    if (user === null) {
      // 400 rather than 401: the tutorial's contract, which clients already handle.
      throw new BadRequestException(INVALID_CREDENTIALS);
    }
    return { token: this.issueAccessToken(user), tokenType: 'Bearer', expiresIn: this.ttl };
  }

  /** Signs the claim profile that JwtStrategy checks (see access-token.ts). */
  issueAccessToken(user: UserProfile): string {
    // iat, exp, iss and aud come from JwtModule's signOptions; jti makes every token unique.
    return this.jwt.sign({ id: user.id, name: user.name }, { subject: String(user.id), jwtid: randomUUID() });
  }
}
