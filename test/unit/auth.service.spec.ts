import { createSecretKey } from 'node:crypto';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { BadRequestException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import jsonwebtoken, { type Jwt, type JwtPayload } from 'jsonwebtoken';
import { checkAccessToken } from '../../src/auth/access-token.js';
import { AuthService, INVALID_CREDENTIALS } from '../../src/auth/auth.service.js';
import type { UserProfile } from '../../src/users/user-profile.js';
import { UsersService } from '../../src/users/users.service.js';

const SECRET = 'unit-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const TTL = 900;
const ISSUER = 'unit-issuer';
const AUDIENCE = 'unit-audience';
const ALICE: UserProfile = { id: 7, name: 'Alice' };

describe(AuthService.name, () => {
  let service: AuthService;
  let users: {
    verifyCredentials: jest.Mock<(name: string, password: string) => Promise<UserProfile | null>>;
  };

  beforeEach(async () => {
    users = {
      verifyCredentials: jest
        .fn<(name: string, password: string) => Promise<UserProfile | null>>()
        .mockResolvedValue(ALICE),
    };
    const jwt = new JwtService({
      // As AuthModule does: jsonwebtoken takes a KeyObject, @nestjs/jwt's typings do not say so.
      secret: createSecretKey(Buffer.from(SECRET, 'utf8')) as unknown as string,
      signOptions: { algorithm: 'HS256', expiresIn: TTL, issuer: ISSUER, audience: AUDIENCE },
    });
    const moduleRef = await Test.createTestingModule({
      providers: [
        AuthService,
        { provide: UsersService, useValue: users },
        { provide: JwtService, useValue: jwt },
        {
          provide: ConfigService,
          useValue: { get: (key: string) => (key === 'ACCESS_TOKEN_TTL' ? TTL : undefined) },
        },
      ],
    }).compile();
    service = moduleRef.get(AuthService);
  });

  /** The token, verified with the secret, issuer and audience, as jsonwebtoken's complete result. */
  const verify = (token: string) =>
    jsonwebtoken.verify(token, SECRET, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      complete: true,
    }) as Jwt & { payload: JwtPayload };

  describe('login', () => {
    it('should return a bearer token with its lifetime', async () => {
      const result = await service.login({ name: 'alice', password: 'right' });
      expect(result).toStrictEqual({ token: expect.any(String), tokenType: 'Bearer', expiresIn: TTL });
      expect(users.verifyCredentials).toHaveBeenCalledWith('alice', 'right');
    });

    it('should sign exactly the claim profile with an {alg: HS256, typ: JWT} header', async () => {
      const before = Math.floor(Date.now() / 1000);
      const { token } = await service.login({ name: 'alice', password: 'right' });
      const after = Math.floor(Date.now() / 1000);
      const { header, payload } = verify(token);
      expect(header).toStrictEqual({ alg: 'HS256', typ: 'JWT' });
      expect(Object.keys(payload).sort()).toStrictEqual([
        'aud',
        'exp',
        'iat',
        'id',
        'iss',
        'jti',
        'name',
        'sub',
      ]);
      expect(payload).toMatchObject({ sub: '7', id: 7, name: 'Alice', iss: ISSUER, aud: AUDIENCE });
      expect(payload.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(payload.iat).toBeGreaterThanOrEqual(before);
      expect(payload.iat).toBeLessThanOrEqual(after);
      expect(payload.exp).toBe(payload.iat! + TTL);
    });

    it('should issue a token that passes the verification profile', async () => {
      const { token } = await service.login({ name: 'alice', password: 'right' });
      expect(checkAccessToken(verify(token), { ttl: TTL, clockTolerance: 30 })).toMatchObject({
        sub: '7',
        id: 7,
      });
    });

    it('should give every login a different jti', async () => {
      const first = await service.login({ name: 'alice', password: 'right' });
      const second = await service.login({ name: 'alice', password: 'right' });
      expect(verify(second.token).payload.jti).not.toBe(verify(first.token).payload.jti);
      expect(second.token).not.toBe(first.token);
    });

    it('should throw BadRequestException with the one message for bad credentials', async () => {
      users.verifyCredentials.mockResolvedValue(null);
      const attempt = service.login({ name: 'alice', password: 'wrong' });
      await expect(attempt).rejects.toBeInstanceOf(BadRequestException);
      await expect(attempt).rejects.toThrow(INVALID_CREDENTIALS);
      expect(INVALID_CREDENTIALS).toBe('invalid name or password');
    });
  });
});
