import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import jsonwebtoken, { type Jwt, type JwtPayload } from 'jsonwebtoken';
import { checkAccessToken } from '../../src/auth/access-token.js';
import type { Actor } from '../../src/common/request-context/actor.js';
import type { AuthUser } from '../../src/common/request-context/auth-user.js';
import { AuthService, INVALID_CREDENTIALS } from '../../src/auth/auth.service.js';
import { UserEmailService } from '../../src/users/user-email.service.js';
import { InvalidCredentialsError, RefreshTokenRefusedError } from '../../src/auth/auth.errors.js';
import {
  RefreshRefusedError,
  SessionsService,
  type SessionGrant,
} from '../../src/sessions/sessions.service.js';
import { TooManyAttemptsError } from '../../src/throttling/too-many-attempts.error.js';
import { KeyRing } from '../../src/keys/key-ring.js';
import { MfaService, type MfaChallenge } from '../../src/mfa/mfa.service.js';
import { PasskeysService } from '../../src/passkeys/passkeys.service.js';
import type { UserProfile } from '../../src/users/user-profile.js';
import { UsersService } from '../../src/users/users.service.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { sessionGrant } from '../support/entities.js';
import { mockOf, type MockOf } from '../support/mocks.js';
import { AuditLog } from '../../src/logging/audit.js';

/** The active signing key, as the KeyRing hands it out (ES256, the default). */
const KEY_PAIR = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const KID = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
const TTL = 900;
const ISSUER = 'unit-issuer';
const AUDIENCE = 'unit-audience';
const ALICE: UserProfile = { id: 7, name: 'Alice' };
const SID = '5f0c4a8e-3b2d-4e1f-9a7c-1d2e3f4a5b6c';
const OTHER_SID = '0e6d1c2b-7a8f-4b3c-8d9e-a1b2c3d4e5f6';
const REFRESH_TOKEN = 'r'.repeat(43);
const NEXT_REFRESH_TOKEN = 'n'.repeat(43);
const CLIENT: Actor = { userAgent: 'unit-agent/1.0', ip: '203.0.113.9' };
const NOW = new Date('2025-11-27T10:00:00.000Z');
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A grant for Alice's session whose absolute end is `secondsLeft` from now. */
const grant = (refreshToken: string, secondsLeft = 30 * 86_400, sessionId = SID): SessionGrant =>
  sessionGrant({
    userId: ALICE.id,
    sessionId,
    refreshToken,
    expiresAt: new Date(Date.now() + secondsLeft * 1000),
  });

describe(AuthService.name, () => {
  let service: AuthService;
  let mfa: MockOf<MfaService>;
  /** A password login of an account with no second factor: always a pair. */
  const passwordLogin = async () => {
    const answer = await service.login({ name: 'alice', password: 'right' }, CLIENT);
    if ('mfaRequired' in answer) {
      throw new Error('expected tokens, got a second-factor challenge');
    }
    return answer;
  };
  let users: MockOf<UsersService>;
  let opened: SessionGrant;
  let rotated: SessionGrant;
  let sessions: MockOf<SessionsService>;

  beforeEach(async () => {
    opened = grant(REFRESH_TOKEN);
    // A different absolute end than `opened`, so a test can tell which grant a pair came from.
    rotated = grant(NEXT_REFRESH_TOKEN, 29 * 86_400);
    users = mockOf(UsersService);
    users.verifyCredentials.mockResolvedValue(ALICE);
    users.findActive.mockResolvedValue({ ...ALICE, roles: ['user'] });
    sessions = mockOf(SessionsService);
    sessions.open.mockImplementation(() => Promise.resolve(opened));
    sessions.rotate.mockImplementation(() => Promise.resolve(rotated));
    sessions.end.mockResolvedValue();
    sessions.endRecorded.mockResolvedValue(1);
    // As AuthModule does: the key and algorithm come per token from the KeyRing.
    const jwt = new JwtService({ signOptions: { expiresIn: TTL, issuer: ISSUER, audience: AUDIENCE } });
    const keys = {
      currentSigner: () => ({ kid: KID, algorithm: 'ES256' as const, key: KEY_PAIR.privateKey }),
    };
    mfa = mockOf(MfaService);
    mfa.challengeAfterPassword.mockResolvedValue(null);
    const moduleRef = await Test.createTestingModule({
      providers: [
        { provide: Metrics, useValue: new Metrics() },
        { provide: AuditLog, useValue: { record: jest.fn() } },
        AuthService,
        { provide: UsersService, useValue: users },
        { provide: SessionsService, useValue: sessions },
        { provide: JwtService, useValue: jwt },
        { provide: KeyRing, useValue: keys },
        { provide: MfaService, useValue: mfa },
        // Passkey sign-in has its own e2e suite (test/e2e/passkeys.e2e-spec.ts); these tests log in with passwords.
        { provide: PasskeysService, useValue: {} },
        // EMAIL_VERIFICATION_REQUIRED has its own e2e suite (test/e2e/account-mail.e2e-spec.ts).
        { provide: UserEmailService, useValue: { refuseIfUnverified: () => Promise.resolve() } },
        {
          provide: ConfigService,
          useValue: { get: (key: string) => (key === 'ACCESS_TOKEN_TTL' ? TTL : undefined) },
        },
      ],
    }).compile();
    service = moduleRef.get(AuthService);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  /** The token, verified with the secret, issuer and audience, as jsonwebtoken's complete result. */
  const verify = (token: string) =>
    jsonwebtoken.verify(token, KEY_PAIR.publicKey, {
      algorithms: ['ES256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      complete: true,
    }) as Jwt & { payload: JwtPayload };

  /** The RefreshTokenRefusedError that `attempt` rejects with, or a failure when it does not. */
  async function challengeOf(attempt: Promise<unknown>): Promise<RefreshTokenRefusedError> {
    try {
      await attempt;
    } catch (error) {
      expect(error).toBeInstanceOf(RefreshTokenRefusedError);
      return error as RefreshTokenRefusedError;
    }
    throw new Error('nothing was thrown');
  }

  describe('login', () => {
    it('should answer the challenge, and open no session, for an account with a second factor', async () => {
      const challenge: MfaChallenge = {
        mfaRequired: true,
        mfaToken: 'opaque',
        methods: ['totp', 'recovery'],
      };
      mfa.challengeAfterPassword.mockResolvedValue(challenge);
      await expect(service.login({ name: 'alice', password: 'right' }, CLIENT)).resolves.toStrictEqual(
        challenge,
      );
      expect(sessions.open).not.toHaveBeenCalled();
    });

    it('should return a bearer token with its lifetime, the refresh token and the session end', async () => {
      const result = await passwordLogin();
      expect(result).toStrictEqual({
        token: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: TTL,
        refreshToken: REFRESH_TOKEN,
        sessionExpiresAt: opened.expiresAt,
      });
      expect(users.verifyCredentials).toHaveBeenCalledWith('alice', 'right', CLIENT);
    });

    it('should open a session for the user with the client it came from', async () => {
      await service.login({ name: 'alice', password: 'right' }, CLIENT);
      expect(sessions.open).toHaveBeenCalledTimes(1);
      expect(sessions.open).toHaveBeenCalledWith(7, CLIENT);
    });

    it('should sign exactly the claim profile with an {alg: ES256, typ: JWT, kid} header', async () => {
      const before = Math.floor(Date.now() / 1000);
      const { token } = await passwordLogin();
      const after = Math.floor(Date.now() / 1000);
      const { header, payload } = verify(token);
      expect(header).toStrictEqual({ alg: 'ES256', typ: 'JWT', kid: KID });
      expect(Object.keys(payload).sort()).toStrictEqual([
        'aud',
        'exp',
        'iat',
        'id',
        'iss',
        'jti',
        'name',
        'sid',
        'sub',
      ]);
      expect(payload).toMatchObject({ sub: '7', id: 7, name: 'Alice', sid: SID, iss: ISSUER, aud: AUDIENCE });
      expect(payload.jti).toMatch(UUID_V4);
      expect(payload.iat).toBeGreaterThanOrEqual(before);
      expect(payload.iat).toBeLessThanOrEqual(after);
      expect(payload.exp).toBe(payload.iat! + TTL);
    });

    it('should issue a token that passes the verification profile', async () => {
      const { token } = await passwordLogin();
      expect(checkAccessToken(verify(token), { ttl: TTL, clockTolerance: 30 })).toMatchObject({
        sub: '7',
        id: 7,
        sid: SID,
      });
    });

    it('should give every login a different jti', async () => {
      const first = await passwordLogin();
      const second = await passwordLogin();
      expect(verify(second.token).payload.jti).not.toBe(verify(first.token).payload.jti);
      expect(second.token).not.toBe(first.token);
    });

    it('should throw InvalidCredentialsError (400) with the one message for bad credentials', async () => {
      users.verifyCredentials.mockResolvedValue(null);
      const attempt = service.login({ name: 'alice', password: 'wrong' }, CLIENT);
      await expect(attempt).rejects.toBeInstanceOf(InvalidCredentialsError);
      await expect(attempt).rejects.toMatchObject({ status: 400, code: 'invalid_credentials' });
      await expect(attempt).rejects.toThrow(INVALID_CREDENTIALS);
      expect(INVALID_CREDENTIALS).toBe('invalid name or password');
    });

    it('should open no session for bad credentials', async () => {
      users.verifyCredentials.mockResolvedValue(null);
      await expect(service.login({ name: 'alice', password: 'wrong' }, CLIENT)).rejects.toThrow(
        INVALID_CREDENTIALS,
      );
      expect(sessions.open).not.toHaveBeenCalled();
    });

    // Fake time: the session's end and the token's iat must fall in known whole seconds.
    it('should not let the access token outlive the session', async () => {
      jest.useFakeTimers({ now: NOW });
      sessions.open.mockResolvedValue(grant(REFRESH_TOKEN, 60));
      const { token, expiresIn } = await passwordLogin();
      expect(expiresIn).toBe(60);
      const { payload } = verify(token);
      expect(payload.exp).toBe(payload.iat! + 60);
    });

    it('should give a token of a session about to end at least one second', async () => {
      jest.useFakeTimers({ now: NOW });
      sessions.open.mockResolvedValue(grant(REFRESH_TOKEN, 0));
      const { token, expiresIn } = await passwordLogin();
      expect(expiresIn).toBe(1);
      const { payload } = verify(token);
      expect(payload.exp).toBe(payload.iat! + 1);
    });

    it('should pass on the 429 of a held-back name, opening no session', async () => {
      users.verifyCredentials.mockRejectedValue(new TooManyAttemptsError(7));
      await expect(service.login({ name: 'alice', password: 'right' }, CLIENT)).rejects.toMatchObject({
        retryAfterSeconds: 7,
      });
      expect(sessions.open).not.toHaveBeenCalled();
    });
  });

  describe('refresh', () => {
    it('should spend the refresh token for a new pair on the same session', async () => {
      const result = await service.refresh(REFRESH_TOKEN, { requestId: 'request-1' });
      expect(sessions.rotate).toHaveBeenCalledWith(REFRESH_TOKEN, { requestId: 'request-1' });
      expect(result).toStrictEqual({
        token: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: TTL,
        refreshToken: NEXT_REFRESH_TOKEN,
        sessionExpiresAt: rotated.expiresAt,
      });
      expect(verify(result.token).payload).toMatchObject({ sub: '7', id: 7, name: 'Alice', sid: SID });
    });

    it('should sign the name the user has now', async () => {
      users.findActive.mockResolvedValue({ id: 7, name: 'Alice Renamed', roles: ['user'] });
      const { token } = await service.refresh(REFRESH_TOKEN, CLIENT);
      expect(users.findActive).toHaveBeenCalledWith(7);
      expect(verify(token).payload.name).toBe('Alice Renamed');
    });

    it.each(['unknown', 'ended', 'expired', 'replayed'] as const)(
      'should answer every refusal (here %s) with the same invalid-refresh-token challenge',
      async (reason) => {
        sessions.rotate.mockRejectedValue(new RefreshRefusedError(reason));
        const challenge = await challengeOf(service.refresh(REFRESH_TOKEN, CLIENT));
        expect(challenge.status).toBe(401);
        expect(challenge.message).toBe('The refresh token is invalid');
        expect(challenge.responseHeaders).toEqual({
          'WWW-Authenticate':
            'Bearer error="invalid_token", error_description="The refresh token is invalid"',
        });
        expect(challenge.message).not.toContain(reason);
        expect(users.findActive).not.toHaveBeenCalled();
      },
    );

    it('should pass on an error that is not a refusal', async () => {
      const failure = new Error('database is locked');
      sessions.rotate.mockRejectedValue(failure);
      await expect(service.refresh(REFRESH_TOKEN, CLIENT)).rejects.toBe(failure);
    });

    it('should end the session of a user who is gone or disabled and refuse the refresh', async () => {
      users.findActive.mockResolvedValue(null);
      const challenge = await challengeOf(service.refresh(REFRESH_TOKEN, CLIENT));
      expect(challenge.message).toBe('The refresh token is invalid');
      expect(sessions.end).toHaveBeenCalledWith(SID, 'disabled');
    });
  });

  describe('logout', () => {
    const caller: AuthUser = { id: 7, name: 'Alice', roles: ['user'], sessionId: SID };

    /** What logout asked of SessionsService.endRecorded(), and the event it makes of a count. */
    function lastEnd() {
      const [which, reason, actor, event] = sessions.endRecorded.mock.calls[0];
      return { which, reason, actor, event: (count: number) => event({ sessions: count }) };
    }

    it('should end the current session only for scope local, one change with its event', async () => {
      await service.logout(caller, 'local', CLIENT);
      const { which, reason, actor, event } = lastEnd();
      expect([which, reason, actor]).toEqual([{ id: SID }, 'logout', CLIENT]);
      // A second logout with the same token still says one session: the caller's, ended already.
      expect(event(0)).toEqual({
        event: 'session.ended',
        fields: { scope: 'local', userId: 7, sessionId: SID, sessions: 1 },
      });
    });

    it('should end every other session of the user for scope others', async () => {
      await service.logout(caller, 'others', CLIENT);
      const { which, reason, event } = lastEnd();
      expect([which, reason]).toEqual([{ userId: 7, keep: SID }, 'logout']);
      expect(event(3)).toMatchObject({ event: 'session.ended', fields: { scope: 'others', sessions: 3 } });
    });

    it('should end every session of the user for scope global', async () => {
      await service.logout({ ...caller, sessionId: OTHER_SID }, 'global', CLIENT);
      const { which, event } = lastEnd();
      expect(which).toEqual({ userId: 7, keep: undefined });
      expect(event(2)).toMatchObject({ fields: { scope: 'global', sessionId: OTHER_SID, sessions: 2 } });
    });
  });
});
