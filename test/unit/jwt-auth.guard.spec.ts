import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import jsonwebtoken from 'jsonwebtoken';
import type { AuthUser } from '../../src/common/request-context/auth-user.js';
import { BearerChallengeException } from '../../src/auth/bearer-challenge.exception.js';
import { Public } from '../../src/common/request-context/public.decorator.js';
import { JwtAuthGuard } from '../../src/auth/guards/jwt-auth.guard.js';
import { InvalidTokenError } from '../../src/auth/invalid-token.error.js';
import { JwtStrategy } from '../../src/auth/strategies/jwt.strategy.js';

// Handlers declare `this: void`: the guard only reads their metadata, it never calls them.
@Public()
class PublicController {
  handler(this: void) {}
}

class GuardedController {
  @Public()
  open(this: void) {}

  closed(this: void) {}
}

function context(
  controller: abstract new () => unknown,
  handler: (...args: never[]) => unknown,
  authorization?: string,
  request: { headers: object; user?: AuthUser } = { headers: { authorization } },
): ExecutionContext {
  return {
    getClass: () => controller,
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

/** The passport half of the guard (AuthGuard('jwt').prototype.canActivate), answering false. */
const passportCanActivate = () =>
  jest
    .spyOn(Object.getPrototypeOf(JwtAuthGuard.prototype) as JwtAuthGuard, 'canActivate')
    .mockResolvedValue(false);

const ALICE: AuthUser = {
  id: 1,
  name: 'alice',
  roles: ['user'],
  sessionId: '5f0c4a8e-3b2d-4e1f-9a7c-1d2e3f4a5b6c',
};

/** The BearerChallengeException that `act` throws, or a failure when it throws something else. */
function challengeOf(act: () => unknown): BearerChallengeException {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(BearerChallengeException);
    return error as BearerChallengeException;
  }
  throw new Error('nothing was thrown');
}

describe(JwtAuthGuard.name, () => {
  let guard: JwtAuthGuard;
  /** JwtStrategy's answer for a remembered token: none unless a test says otherwise. */
  const strategy = { rememberedUser: jest.fn<(request: unknown) => AuthUser | undefined>() };

  beforeEach(async () => {
    strategy.rememberedUser.mockReset().mockReturnValue(undefined);
    const moduleRef = await Test.createTestingModule({
      providers: [
        JwtAuthGuard,
        { provide: Reflector, useValue: new Reflector() },
        { provide: JwtStrategy, useValue: strategy },
      ],
    }).compile();
    guard = moduleRef.get(JwtAuthGuard);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('canActivate', () => {
    it('should let a handler of a @Public() controller through without passport', () => {
      const passport = passportCanActivate();
      expect(guard.canActivate(context(PublicController, PublicController.prototype.handler))).toBe(true);
      expect(passport).not.toHaveBeenCalled();
    });

    it('should let a @Public() handler through without passport', () => {
      const passport = passportCanActivate();
      expect(guard.canActivate(context(GuardedController, GuardedController.prototype.open))).toBe(true);
      expect(passport).not.toHaveBeenCalled();
    });

    it('should hand any other route to passport', async () => {
      const passport = passportCanActivate();
      const ctx = context(GuardedController, GuardedController.prototype.closed);
      await expect(guard.canActivate(ctx)).resolves.toBe(false);
      expect(passport).toHaveBeenCalledTimes(1);
      expect(passport).toHaveBeenCalledWith(ctx);
    });

    it('should let a remembered token whose checks pass through synchronously, without passport', () => {
      const passport = passportCanActivate();
      strategy.rememberedUser.mockReturnValue(ALICE);
      const request: { headers: object; user?: AuthUser } = { headers: { authorization: 'Bearer x.y.z' } };
      const ctx = context(GuardedController, GuardedController.prototype.closed, undefined, request);
      expect(guard.canActivate(ctx)).toBe(true);
      expect(request.user).toBe(ALICE);
      expect(strategy.rememberedUser).toHaveBeenCalledWith(request);
      expect(passport).not.toHaveBeenCalled();
    });

    it('should not ask the strategy for a @Public() handler', () => {
      passportCanActivate();
      void guard.canActivate(context(GuardedController, GuardedController.prototype.open));
      expect(strategy.rememberedUser).not.toHaveBeenCalled();
    });
  });

  describe('handleRequest', () => {
    const guarded = (authorization?: string) =>
      context(GuardedController, GuardedController.prototype.closed, authorization);

    it('should return the user passport authenticated', () => {
      expect(guard.handleRequest(null, ALICE, undefined, guarded('Bearer x.y.z'))).toBe(ALICE);
    });

    it('should challenge without an error code when there is no Authorization header', () => {
      const challenge = challengeOf(() =>
        guard.handleRequest(null, false, new Error('No auth token'), guarded(undefined)),
      );
      expect(challenge.getStatus()).toBe(401);
      expect(challenge.challenge).toBe('Bearer');
    });

    it('should challenge without an error code for another scheme', () => {
      const challenge = challengeOf(() =>
        guard.handleRequest(null, false, new Error('No auth token'), guarded('Basic YWRtaW46MTIzNA==')),
      );
      expect(challenge.challenge).toBe('Bearer');
    });

    it('should say invalid_token and "expired" for an expired token', () => {
      const info = new jsonwebtoken.TokenExpiredError('jwt expired', new Date(0));
      const challenge = challengeOf(() => guard.handleRequest(null, false, info, guarded('Bearer x.y.z')));
      expect(challenge.getStatus()).toBe(401);
      expect(challenge.challenge).toBe(
        'Bearer error="invalid_token", error_description="The access token expired"',
      );
      expect(challenge.message).toBe('The access token expired');
    });

    it.each([
      ['a bad signature', new jsonwebtoken.JsonWebTokenError('invalid signature')],
      ['a token not yet valid', new jsonwebtoken.NotBeforeError('jwt not active', new Date(0))],
      ['a malformed bearer header', new Error('No auth token')],
      ['no reason', undefined],
    ])('should say invalid_token and "invalid" for %s', (_case, info) => {
      const challenge = challengeOf(() => guard.handleRequest(null, false, info, guarded('bearer x.y.z')));
      expect(challenge.challenge).toBe(
        'Bearer error="invalid_token", error_description="The access token is invalid"',
      );
    });

    it('should say invalid_token for a token that breaks the claim profile', () => {
      const error = new InvalidTokenError('claim role is not accepted');
      const challenge = challengeOf(() =>
        guard.handleRequest(error, false, undefined, guarded('Bearer x.y.z')),
      );
      expect(challenge.challenge).toBe(
        'Bearer error="invalid_token", error_description="The access token is invalid"',
      );
      expect(challenge.message).not.toContain('role');
    });

    it('should rethrow a fault that is not about the token unchanged', () => {
      const fault = new Error('db down');
      let thrown: unknown;
      try {
        guard.handleRequest(fault, false, undefined, guarded('Bearer x.y.z'));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBe(fault);
    });
  });
});
