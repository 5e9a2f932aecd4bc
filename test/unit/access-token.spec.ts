import { describe, expect, it } from '@jest/globals';
import { checkAccessToken, type AccessTokenPolicy } from '../../src/auth/access-token.js';
import { InvalidTokenError } from '../../src/auth/invalid-token.error.js';

const NOW = 1_764_230_400;
const SID = '5f0c4a8e-3b2d-4e1f-9a7c-1d2e3f4a5b6c';
const POLICY: AccessTokenPolicy = { ttl: 3600, clockTolerance: 30 };

const header = () => ({ alg: 'ES256', typ: 'JWT', kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
const payload = () => ({
  sub: '7',
  id: 7,
  name: 'alice',
  iat: NOW - 60,
  exp: NOW - 60 + 3600,
  jti: '0b7c5bb4-2d0f-4c43-9f43-5b1f3f3c1a11',
  sid: SID,
  iss: 'nest-jwt-auth',
  aud: 'nest-jwt-auth',
});
/** jsonwebtoken's `complete` result for a token with the given header and payload. */
const decoded = (h: unknown = header(), p: unknown = payload()) => ({
  header: h,
  payload: p,
  signature: 'sig',
});

const check = (value: unknown) => () => checkAccessToken(value, POLICY, NOW);

describe('checkAccessToken', () => {
  it('should accept the exact profile and return its claims', () => {
    expect(checkAccessToken(decoded(), POLICY, NOW)).toEqual(payload());
  });

  it('should refuse something that is not a decoded JWS', () => {
    expect(check(null)).toThrow(InvalidTokenError);
    expect(check('a.b.c')).toThrow(InvalidTokenError);
    expect(check({ header: null, payload: payload() })).toThrow(InvalidTokenError);
  });

  describe('header', () => {
    it.each(['jku', 'jwk', 'x5u', 'x5c', 'crit', 'cty'])(
      'should refuse the extra parameter %s',
      (parameter) => {
        expect(check(decoded({ ...header(), [parameter]: 'x' }))).toThrow(
          new InvalidTokenError(`header parameter ${parameter} is not accepted`),
        );
      },
    );

    it.each([['JWS'], ['jwt'], [undefined]])('should refuse typ %p', (typ) => {
      expect(check(decoded({ alg: 'HS256', typ }))).toThrow(InvalidTokenError);
    });

    it('should refuse a header without typ', () => {
      expect(check(decoded({ alg: 'HS256' }))).toThrow(InvalidTokenError);
    });

    it.each(['none', 'None', 'HS384', 'HS512', 'ES384', 'PS256', 'EdDSA', 'es256', 'hs256', ''])(
      'should refuse alg %p',
      (alg) => {
        expect(check(decoded({ ...header(), alg }))).toThrow(
          new InvalidTokenError('header must be {"alg":"ES256"|"RS256"|"HS256","typ":"JWT","kid":...}'),
        );
      },
    );

    it.each(['ES256', 'RS256', 'HS256'])('should leave alg %s to the key the kid names', (alg) => {
      expect(checkAccessToken(decoded({ ...header(), alg }), POLICY, NOW).id).toBe(7);
    });

    it.each([[''], ['a'.repeat(65)], ['../../dev/null'], ["x' OR '1'='1"], [42], [null], [['kid']]])(
      'should refuse kid %p',
      (kid) => {
        expect(check(decoded({ ...header(), kid }))).toThrow(new InvalidTokenError('kid must name a key'));
      },
    );

    it('should let a header without kid through to the strategy (HS256 tokens of before kids)', () => {
      expect(checkAccessToken(decoded({ alg: 'HS256', typ: 'JWT' }), POLICY, NOW).id).toBe(7);
    });
  });

  describe('payload', () => {
    it.each([
      ['an array', [payload()]],
      ['a string', JSON.stringify(payload())],
      ['null', null],
    ])('should refuse %s', (_kind, value) => {
      expect(check(decoded(header(), value))).toThrow(new InvalidTokenError('payload must be a JSON object'));
    });

    it.each(['nbf', 'role', 'admin', 'scope'])('should refuse the unknown claim %s', (claim) => {
      expect(check(decoded(header(), { ...payload(), [claim]: 1 }))).toThrow(
        new InvalidTokenError(`claim ${claim} is not accepted`),
      );
    });

    it('should refuse a __proto__ claim as parsed from JSON', () => {
      const value: unknown = JSON.parse(
        JSON.stringify(payload()).replace('{', '{"__proto__":{"admin":true},'),
      );
      expect(check(decoded(header(), value))).toThrow(
        new InvalidTokenError('claim __proto__ is not accepted'),
      );
    });
  });

  describe('id and sub', () => {
    it.each([[0], [-1], [1.5], ['1'], [2 ** 53], [null], [undefined]])('should refuse id %p', (id) => {
      expect(check(decoded(header(), { ...payload(), id, sub: String(id) }))).toThrow(
        new InvalidTokenError('id must be a positive integer'),
      );
    });

    it.each([['8'], ['07'], [' 7'], [7], [undefined]])('should refuse sub %p for id 7', (sub) => {
      expect(check(decoded(header(), { ...payload(), sub }))).toThrow(
        new InvalidTokenError('sub must be the id as a string'),
      );
    });

    it('should accept the largest safe integer id', () => {
      const id = Number.MAX_SAFE_INTEGER;
      expect(checkAccessToken(decoded(header(), { ...payload(), id, sub: String(id) }), POLICY, NOW).id).toBe(
        id,
      );
    });
  });

  describe('string claims', () => {
    it.each([
      ['name', 42],
      ['name', null],
      ['jti', 1],
      ['iss', { value: 'nest-jwt-auth' }],
      ['aud', ['nest-jwt-auth']],
      ['aud', undefined],
    ])('should refuse a non-string %s (%p)', (claim, value) => {
      expect(check(decoded(header(), { ...payload(), [claim]: value }))).toThrow(
        new InvalidTokenError('name, jti, iss and aud must be strings'),
      );
    });
  });

  describe('name length', () => {
    // CJK Extension B: letters outside the BMP, 2 UTF-16 units each.
    const astral = (count: number) =>
      Array.from({ length: count }, (_, i) => String.fromCodePoint(0x20000 + i)).join('');

    it('should count a name in characters, as sign-up does: 64 astral letters pass', () => {
      expect(checkAccessToken(decoded(header(), { ...payload(), name: astral(64) }), POLICY, NOW).name).toBe(
        astral(64),
      );
    });

    it('should refuse 65 characters', () => {
      expect(check(decoded(header(), { ...payload(), name: astral(65) }))).toThrow(
        new InvalidTokenError('name and jti must be at most 64 characters'),
      );
    });
  });

  describe('sid', () => {
    it.each([
      ['undefined', undefined],
      ['a number', 1],
      ['null', null],
      ['empty', ''],
      ['not a UUID', 'session-1'],
      ['an upper-case UUID', SID.toUpperCase()],
      ['a UUID v1', '5f0c4a8e-3b2d-1e1f-9a7c-1d2e3f4a5b6c'],
      ['a UUID with the wrong variant', '5f0c4a8e-3b2d-4e1f-ca7c-1d2e3f4a5b6c'],
      ['a UUID with surrounding text', ` ${SID}`],
      ['a UUID without dashes', SID.replaceAll('-', '')],
    ])('should refuse a sid that is %s', (_kind, sid) => {
      expect(check(decoded(header(), { ...payload(), sid }))).toThrow(
        new InvalidTokenError('sid must be a session id'),
      );
    });

    it('should refuse a token without sid (one issued before sessions existed)', () => {
      const withoutSid: Record<string, unknown> = payload();
      delete withoutSid.sid;
      expect(check(decoded(header(), withoutSid))).toThrow(new InvalidTokenError('sid must be a session id'));
    });

    it('should return the sid of a valid token', () => {
      expect(checkAccessToken(decoded(), POLICY, NOW).sid).toBe(SID);
    });
  });

  describe('iat and exp', () => {
    it.each([
      ['iat', undefined],
      ['exp', undefined],
      ['iat', String(NOW)],
      ['exp', String(NOW + 60)],
      ['iat', NOW - 59.5],
      ['exp', NOW + 0.5],
      ['iat', -1],
      ['exp', -1],
      ['iat', 0],
    ])('should refuse %s %p', (claim, value) => {
      expect(check(decoded(header(), { ...payload(), [claim]: value }))).toThrow(
        new InvalidTokenError('iat and exp must be integer timestamps'),
      );
    });

    it('should refuse exp equal to iat', () => {
      expect(check(decoded(header(), { ...payload(), iat: NOW, exp: NOW }))).toThrow(
        new InvalidTokenError('exp - iat must be within the configured lifetime'),
      );
    });

    it('should refuse exp before iat', () => {
      expect(check(decoded(header(), { ...payload(), iat: NOW, exp: NOW - 1 }))).toThrow(InvalidTokenError);
    });

    it('should refuse a lifetime longer than the configured ttl', () => {
      expect(check(decoded(header(), { ...payload(), iat: NOW, exp: NOW + POLICY.ttl + 1 }))).toThrow(
        new InvalidTokenError('exp - iat must be within the configured lifetime'),
      );
    });

    it('should accept a lifetime of exactly the configured ttl', () => {
      const claims = { ...payload(), iat: NOW, exp: NOW + POLICY.ttl };
      expect(checkAccessToken(decoded(header(), claims), POLICY, NOW)).toEqual(claims);
    });

    it('should refuse iat further in the future than the clock tolerance', () => {
      const iat = NOW + POLICY.clockTolerance + 1;
      expect(check(decoded(header(), { ...payload(), iat, exp: iat + 60 }))).toThrow(
        new InvalidTokenError('iat must not be in the future'),
      );
    });

    it('should accept iat in the future within the clock tolerance', () => {
      const iat = NOW + POLICY.clockTolerance;
      const claims = { ...payload(), iat, exp: iat + 60 };
      expect(checkAccessToken(decoded(header(), claims), POLICY, NOW)).toEqual(claims);
    });
  });
});
