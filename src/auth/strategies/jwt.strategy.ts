import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { Strategy } from 'passport-jwt';
import type { Env } from '../../config/env.schema.js';
import { isObject } from '../../common/validation/is-object.js';
import { hasLowS, isEcdsa } from '../../keys/ecdsa-signatures.js';
import { KeyRing } from '../../keys/key-ring.js';
import { REVOCATIONS, type Revocations } from '../../sessions/revocations.js';
import { UsersService } from '../../users/users.service.js';
import { checkAccessToken, type AccessTokenPolicy } from '../access-token.js';
import type { AuthUser } from '../../common/request-context/auth-user.js';
import type { ActiveUser } from '../../users/user-profile.js';
import { InvalidTokenError } from '../invalid-token.error.js';
import { extractBearerToken } from './bearer-token.extractor.js';

/** Tokens whose signature and claim profile have been checked, at most this many at a time. */
const VERIFIED_TOKENS = 10_000;

/** jsonwebtoken's `complete` result, as validate() receives it. */
type DecodedToken = { header: { kid?: string }; payload: { exp: number } };

/**
 * The token's own header, read before its signature is checked only to pick the key it names.
 * Nothing in it is trusted: the key comes from our keys by kid, and its algorithm is pinned.
 */
function unverifiedHeader(token: string): Record<string, unknown> {
  const end = token.indexOf('.');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError('header is not JSON');
  }
  if (end < 0 || !isObject(header)) {
    throw new InvalidTokenError('token is not a JWS');
  }
  return header;
}

/**
 * Verifies access tokens: with the key the header's kid names among our own keys (never a key
 * the token carries or points to), in that key's algorithm only; its issuer and audience; then
 * the full claim profile; then that its session has not ended and the user still exists and is
 * enabled. All in memory.
 *
 * A token that passed every check is remembered, keyed by its exact text, until it expires:
 * presented again, it skips the signature check and decoding, the larger part of GET /user's
 * cost (docs/decisions.md), never the claim, session and user checks. Only tokens signed with
 * this process's key ever get in, so a forger cannot fill the cache.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  private readonly policy: AccessTokenPolicy;
  private readonly clockToleranceMs: number;
  private readonly verified = new LRUCache<string, DecodedToken>({ max: VERIFIED_TOKENS });

  constructor(
    private readonly keys: KeyRing,
    config: ConfigService<Env, true>,
    private readonly users: UsersService,
    @Inject(REVOCATIONS) private readonly revocations: Revocations,
  ) {
    const clockTolerance = config.get('JWT_CLOCK_TOLERANCE', { infer: true });
    super({
      jwtFromRequest: extractBearerToken,
      secretOrKeyProvider: (_request, token: string, done) => {
        keyFor(keys, token).then(
          // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject; its typings predate that.
          (key) => done(null, key as unknown as string),
          (error: unknown) => done(error),
        );
      },
      // A second lock behind the pin: jsonwebtoken refuses any other algorithm whatever the key.
      algorithms: [...keys.algorithms],
      issuer: config.get('JWT_ISSUER', { infer: true }),
      audience: config.get('JWT_AUDIENCE', { infer: true }),
      // `complete` hands validate() the header too, so it can refuse jku, jwk, crit and friends.
      jsonWebTokenOptions: { complete: true, clockTolerance },
      // validate() gets the request, to remember the token it was given.
      passReqToCallback: true,
    });
    this.policy = { ttl: config.get('ACCESS_TOKEN_TTL', { infer: true }), clockTolerance };
    this.clockToleranceMs = config.get('durations', { infer: true }).clockToleranceMs;
  }

  /**
   * passport-jwt's authenticate(), but a remembered token goes straight to check(), whose
   * outcome is reported as passport-jwt reports it (error for a throw, success for a user).
   * Anything else, including every token never seen or since expired, takes passport-jwt's path.
   */
  override authenticate(req: Parameters<Strategy['authenticate']>[0], options?: unknown): void {
    // passport's typings say Express; under Fastify, passport is handed Fastify's request.
    const decoded = this.rememberedToken(req as unknown as FastifyRequest);
    if (decoded === undefined) {
      super.authenticate(req, options);
      return;
    }
    this.check(decoded).then(
      (user) => this.success(user),
      (error: unknown) => this.error(error as Error),
    );
  }

  /**
   * The caller of a remembered token, for JwtAuthGuard before it enters passport: the same
   * checks as check() (the claim profile, the key, the session, the user) on what is in memory,
   * synchronously. undefined whenever any of them fails or needs to wait (a user not cached):
   * the guard then takes passport's path, which refuses the token, or looks the user up, with
   * the same answers as before. So a refusal is never decided here, only a success.
   */
  rememberedUser(request: FastifyRequest): AuthUser | undefined {
    const decoded = this.rememberedToken(request);
    if (decoded === undefined) {
      return undefined;
    }
    let claims: ReturnType<typeof checkAccessToken>;
    try {
      claims = checkAccessToken(decoded, this.policy);
    } catch {
      return undefined;
    }
    if (this.revocations.isRevoked(claims.sid)) {
      return undefined;
    }
    const user = this.users.cachedActive(claims.id);
    return user === undefined ? undefined : toAuthUser(user, claims.sid);
  }

  /** passport-jwt's callback, for a token whose signature jsonwebtoken has just verified. */
  async validate(request: FastifyRequest, decoded: unknown): Promise<AuthUser> {
    const user = await this.check(decoded);
    this.remember(request, decoded as DecodedToken);
    return user;
  }

  /** The claim profile, then the session and the user: for every request, remembered or not. */
  private async check(decoded: unknown): Promise<AuthUser> {
    const claims = checkAccessToken(decoded, this.policy);
    if (this.revocations.isRevoked(claims.sid)) {
      throw new InvalidTokenError('session ended');
    }
    const user = await this.users.findActive(claims.id);
    if (user === null) {
      throw new InvalidTokenError('user is gone or disabled');
    }
    return toAuthUser(user, claims.sid);
  }

  /**
   * The request's token as remembered when it passed every check, unless its key is no longer
   * accepted (revoked since: the token then takes the full path, which refuses it).
   */
  private rememberedToken(request: FastifyRequest): DecodedToken | undefined {
    const token = extractBearerToken(request);
    const decoded = token === null ? undefined : this.verified.get(token);
    return decoded !== undefined && this.keys.accepts(decoded.header.kid) ? decoded : undefined;
  }

  /**
   * Until the moment jsonwebtoken would call it expired: exp plus the clock tolerance. Only
   * tokens that passed every check are remembered, so a refused one is checked in full again.
   */
  private remember(request: FastifyRequest, decoded: DecodedToken): void {
    const token = extractBearerToken(request);
    const ttl = decoded.payload.exp * 1000 + this.clockToleranceMs - Date.now();
    if (token !== null && ttl > 0) {
      this.verified.set(token, decoded, { ttl });
    }
  }
}

/** The caller as the guards and controllers see them: the account, and the session the token is of. */
const toAuthUser = (user: ActiveUser, sessionId: string): AuthUser => ({
  id: user.id,
  name: user.name,
  roles: user.roles,
  sessionId,
});

/**
 * The key for a token's signature check: ours, by kid, accepted now, and of the algorithm the
 * header names (an HS256 header on an ES256 key is the classic confusion attack: refused here,
 * before jsonwebtoken could be handed a public key as an HMAC secret).
 */
async function keyFor(keys: KeyRing, token: string): Promise<KeyObject> {
  const header = unverifiedHeader(token);
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    throw new InvalidTokenError('kid must be a string');
  }
  const verifier = await keys.verifierFor(header.kid);
  if (verifier === undefined) {
    throw new InvalidTokenError('kid names no key in use');
  }
  if (header.alg !== verifier.algorithm) {
    throw new InvalidTokenError(`the key of this kid is for ${verifier.algorithm} only`);
  }
  checkSignatureEncoding(token, verifier.algorithm);
  return verifier.key;
}

/** The length of a signature in base64url, per algorithm: 32, 64 (JOSE's r || s) and 256 bytes. */
const SIGNATURE_CHARS: Record<string, number> = { HS256: 43, ES256: 86, RS256: 342 };

/**
 * One text per signature. Base64url leaves a few bits of the last character unused and decoders
 * ignore them, so "...A" and "...B" can be the same ECDSA or RSA signature: a second text of a
 * token we issued that would pass as a token we never saw (jsonwebtoken compares HMACs as text,
 * but verifies ECDSA and RSA on the decoded bytes). Only the canonical encoding is accepted, and
 * of an ECDSA signature's two valid forms, (r, s) and (r, n - s), only the low one we issue.
 */
function checkSignatureEncoding(token: string, algorithm: string): void {
  const signature = token.slice(token.lastIndexOf('.') + 1);
  const bytes = Buffer.from(signature, 'base64url');
  if (signature.length !== SIGNATURE_CHARS[algorithm] || bytes.toString('base64url') !== signature) {
    throw new InvalidTokenError('the signature is not one canonical base64url encoding');
  }
  if (isEcdsa(algorithm) && !hasLowS(algorithm, bytes)) {
    throw new InvalidTokenError('the ECDSA signature must have a low S (s <= n/2)');
  }
}
