import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import type { Env } from '../config/env.schema.js';
import { withLowS } from '../keys/ecdsa-signatures.js';
import { KeyRing } from '../keys/key-ring.js';
import { MfaService, type MfaChallenge, type SecondFactorProof } from '../mfa/mfa.service.js';
import { AuditLog } from '../logging/audit.js';
import { Metrics } from '../metrics/metrics.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';
import { RefreshRefusedError, SessionsService, type SessionGrant } from '../sessions/sessions.service.js';
import type { UserProfile } from '../users/user-profile.js';
import { TooManyAttemptsError } from '../throttling/too-many-attempts.error.js';
import { UsersService } from '../users/users.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { Actor } from '../common/request-context/actor.js';
import type { AuthUser } from '../common/request-context/auth-user.js';
import { UserEmailService } from '../users/user-email.service.js';
import { InvalidCredentialsError, RefreshTokenRefusedError } from './auth.errors.js';
import type { LoginDto } from './dto/login.dto.js';
import type { LogoutScope } from './dto/logout-query.dto.js';

export interface TokenPair {
  token: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
  /** Not sent: when the session's absolute lifetime ends, for the cookie's expiry. */
  sessionExpiresAt: Date;
}

/** What proved the user's identity, on the `login.succeeded` audit line. */
export type LoginMethod = 'password' | 'totp' | 'recovery' | 'passkey' | 'email_link';

export { INVALID_CREDENTIALS } from './auth.errors.js';

/** The statuses of a login step that decided against the caller (see countRefusal). */
const REFUSALS = new Set([400, 401, 403]);

@Injectable()
export class AuthService {
  private readonly ttl: number;

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly jwt: JwtService,
    private readonly keys: KeyRing,
    private readonly mfa: MfaService,
    private readonly passkeys: PasskeysService,
    config: ConfigService<Env, true>,
    private readonly metrics: Metrics,
    private readonly auditLog: AuditLog,
    private readonly emails: UserEmailService,
  ) {
    this.ttl = config.get('ACCESS_TOKEN_TTL', { infer: true });
  }

  /**
   * Checks the credentials (UsersService counts failures toward the name's hold, and answers a
   * held-back name with 429) and opens a session, or, for an account with a second factor,
   * answers the challenge that POST /login/mfa completes.
   */
  async login({ name, password }: LoginDto, actor: Actor): Promise<TokenPair | MfaChallenge> {
    const user = await this.countRefusal(this.users.verifyCredentials(name, password, actor));
    if (user === null) {
      this.metrics.login('failed');
      // 400 rather than 401: the tutorial's contract, which clients already handle.
      throw new InvalidCredentialsError();
    }
    return this.afterFirstFactor(user, actor, 'password');
  }

  /**
   * A sign-in link (POST /login/link): `spent` is the account its token names (SignInLinks spends
   * it). Then exactly as after a right password: EMAIL_VERIFICATION_REQUIRED, the challenge of an
   * account with a second factor, or the pair.
   */
  async loginWithLink(spent: Promise<UserProfile>, actor: Actor): Promise<TokenPair | MfaChallenge> {
    return this.afterFirstFactor(await this.countRefusal(spent), actor, 'email_link');
  }

  /** After a first factor (a password, a sign-in link): the second factor's challenge if on, else the pair. */
  private async afterFirstFactor(
    user: UserProfile,
    actor: Actor,
    method: 'password' | 'email_link',
  ): Promise<TokenPair | MfaChallenge> {
    await this.emails.refuseIfUnverified(user.id);
    const challenge = await this.countRefusal(this.mfa.challengeAfterPassword(user, actor));
    if (challenge !== null) {
      this.metrics.login('mfa_required');
      return challenge;
    }
    return this.issueForVerifiedUser(user, actor, method);
  }

  /** The second step of a login with a second factor (MfaService checks it and spends the token). */
  async loginWithSecondFactor(proof: SecondFactorProof, actor: Actor): Promise<TokenPair> {
    const user = await this.countRefusal(this.mfa.completeLogin(proof, actor));
    return this.issueForVerifiedUser(user, actor, proof.code !== undefined ? 'totp' : 'recovery');
  }

  /**
   * A sign-in with a passkey (PasskeysService checks it and spends the challenge). A passkey is
   * both factors, so an account with TOTP on gets its tokens here too, with no second step.
   */
  async loginWithPasskey(
    challengeId: string,
    response: Record<string, unknown>,
    actor: Actor,
  ): Promise<TokenPair> {
    const user = await this.countRefusal(this.passkeys.authenticate(challengeId, response, actor));
    // A passkey is a way in like the password: EMAIL_VERIFICATION_REQUIRED holds it back the same.
    await this.emails.refuseIfUnverified(user.id);
    // A second factor that worked: the account's failed TOTP attempts start again (MFA_FAILURE_LIMIT).
    await this.mfa.recordOtherFactorSuccess(user.id);
    return this.issueForVerifiedUser(user, actor, 'passkey');
  }

  /**
   * The one way every login ends, whatever proved who the user is (a password, a second factor):
   * opens a session, records `login.succeeded` and signs the pair. The caller has checked
   * every factor the account needs; the controller sends the pair with respondWithTokens().
   */
  async issueForVerifiedUser(user: UserProfile, actor: Actor, method: LoginMethod): Promise<TokenPair> {
    const grant = await this.sessions.open(user.id, actor);
    this.auditLog.record('login.succeeded', actor, {
      userId: user.id,
      sessionId: grant.sessionId,
      method,
    });
    this.metrics.login('succeeded');
    return this.issue(user, grant);
  }

  /**
   * A step of a login, counted in auth_logins_total when it refuses: 429 (a held-back account)
   * as throttled; 400 (a wrong second factor, mfaToken or passkey challenge), 401 (a passkey not
   * accepted) and 403 (TOTP codes locked, MFA_FAILURE_LIMIT) as failed. The per-address limiter
   * counts its own refusals of the login routes (@LoginRoute()). Other errors (the database
   * down) decided nothing about the login and are not counted.
   */
  private async countRefusal<T>(step: Promise<T>): Promise<T> {
    try {
      return await step;
    } catch (error) {
      if (error instanceof TooManyAttemptsError) {
        this.metrics.login('throttled');
      } else if (error instanceof DomainError && REFUSALS.has(error.status)) {
        this.metrics.login('failed');
      }
      throw error;
    }
  }

  /** Spends a refresh token for a new pair on the same session. */
  async refresh(refreshToken: string, actor: Actor): Promise<TokenPair> {
    let grant: SessionGrant;
    try {
      grant = await this.sessions.rotate(refreshToken, actor);
    } catch (error) {
      if (error instanceof RefreshRefusedError) {
        this.metrics.refresh(error.reason === 'replayed' ? 'replayed' : 'refused');
        throw new RefreshTokenRefusedError();
      }
      throw error;
    }
    const user = await this.users.findActive(grant.userId);
    if (user === null) {
      await this.sessions.end(grant.sessionId, 'disabled');
      this.metrics.refresh('refused');
      throw new RefreshTokenRefusedError();
    }
    this.auditLog.record('token.refreshed', actor, { userId: user.id, sessionId: grant.sessionId });
    this.metrics.refresh('rotated');
    return this.issue(user, grant);
  }

  async logout(user: AuthUser, scope: LogoutScope, actor: Actor): Promise<void> {
    const which =
      scope === 'local'
        ? { id: user.sessionId }
        : { userId: user.id, keep: scope === 'others' ? user.sessionId : undefined };
    await this.sessions.endRecorded(which, 'logout', actor, ({ sessions }) => ({
      event: 'session.ended',
      // A local logout counts its session, ended now or already (a second logout with the token).
      fields: {
        scope,
        userId: user.id,
        sessionId: user.sessionId,
        sessions: scope === 'local' ? 1 : sessions,
      },
    }));
  }

  /** Signs the claim profile that JwtStrategy checks (see access-token.ts), never past the session's end. */
  private issue(user: UserProfile, grant: SessionGrant): TokenPair {
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = Math.max(1, Math.min(this.ttl, Math.floor(grant.expiresAt.getTime() / 1000) - now));
    // iat, iss and aud come from JwtModule's signOptions; jti makes every token unique; kid
    // names the key, so verifiers (ours and others', through the JWKS) know which to use.
    const signer = this.keys.currentSigner();
    // Only the low-S form of an ECDSA signature is accepted (ecdsa-signatures.ts); jsonwebtoken
    // returns either.
    const token = withLowS(
      signer.algorithm,
      this.jwt.sign(
        { id: user.id, name: user.name, sid: grant.sessionId },
        {
          subject: String(user.id),
          jwtid: randomUUID(),
          expiresIn,
          algorithm: signer.algorithm,
          keyid: signer.kid,
          // jsonwebtoken signs with a KeyObject; @nestjs/jwt's typings only list string | Buffer.
          secret: signer.key as unknown as string,
        },
      ),
    );
    return {
      token,
      tokenType: 'Bearer',
      expiresIn,
      refreshToken: grant.refreshToken,
      sessionExpiresAt: grant.expiresAt,
    };
  }
}
