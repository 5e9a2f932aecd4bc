import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import QRCode from 'qrcode';
import { seal, unseal, UnsealError } from '../common/crypto/sealing.js';
import { OPERATOR, type Actor } from '../common/request-context/actor.js';
import type { Env } from '../config/env.schema.js';
import { AuditLog } from '../logging/audit.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { LoginAttemptLimiter } from '../throttling/login-attempts.js';
import { AccountNotices } from '../users/account-notices.js';
import type { StepUpProof } from '../users/step-up.js';
import type { UserProfile } from '../users/user-profile.js';
import { UsersService } from '../users/users.service.js';
import { MFA_KEYS, type MfaKeys } from './mfa-keys.js';
import {
  InvalidMfaTokenError,
  MfaAlreadyOnError,
  MfaNotOnError,
  NoSetupPendingError,
  TotpLockedError,
  WrongSecondFactorError,
} from './mfa.errors.js';
import { MfaRepository } from './mfa.repository.js';
import { hashRecoveryCode, newRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.js';
import type { TotpCredentialEntity } from './totp-credential.entity.js';
import { matchTotp, newTotpSecret, otpauthUrl, toBase32 } from './totp.js';

/** How long a set-up started with a proven step-up waits for its confirming code. */
export const TOTP_SETUP_TTL_MS = 10 * 60_000;
/** How long a password check waits for its second factor. */
export const MFA_TOKEN_TTL_MS = 5 * 60_000;
/**
 * Wrong codes one mfaToken takes before it is spent. Each also counts toward the account's hold
 * (LOGIN_FAILURE_LIMIT); this cap holds even where an operator has raised that limit.
 */
export const MFA_TOKEN_MAX_FAILURES = 5;

export type MfaMethod = 'totp' | 'recovery';

/** What POST /login answers instead of tokens when the account has a second factor. */
export interface MfaChallenge {
  mfaRequired: true;
  mfaToken: string;
  methods: MfaMethod[];
}

export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
  qrSvg: string;
}

/** The second step of a login: the challenge's token and one of the two kinds of code. */
export interface SecondFactorProof {
  mfaToken: string;
  code?: string;
  recoveryCode?: string;
}

export {
  INVALID_MFA_TOKEN,
  MFA_TOKEN_EXHAUSTED,
  NO_SETUP_PENDING,
  TOTP_LOCKED,
  WRONG_CODE,
} from './mfa.errors.js';

/** The authenticated data of a pending secret: only a confirmation opens it, never a login. */
const setupAad = (userId: number) => `totp-setup:${userId}`;

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/** TOTP second factors (RFC 6238), their recovery codes and the second step of a login. */
@Injectable()
export class MfaService {
  private readonly issuer: string;
  /** MFA_FAILURE_LIMIT: failed second factors in a row after which TOTP codes are not checked. */
  private readonly failureLimit: number;

  constructor(
    private readonly store: MfaRepository,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly attempts: LoginAttemptLimiter,
    @Inject(MFA_KEYS) private readonly keys: MfaKeys,
    config: ConfigService<Env, true>,
    private readonly auditLog: AuditLog,
    private readonly notices: AccountNotices,
  ) {
    this.issuer = config.get('JWT_ISSUER', { infer: true });
    this.failureLimit = config.get('MFA_FAILURE_LIMIT', { infer: true });
  }

  /** Whether TOTP is on, and how many recovery codes are unspent (0 while it is off). */
  async status(userId: number): Promise<{ totp: boolean; recoveryCodesLeft: number }> {
    const totp = await this.store.hasActiveTotp(userId);
    return { totp, recoveryCodesLeft: totp ? await this.store.countRecoveryCodesLeft(userId) : 0 };
  }

  /**
   * A new pending secret (replacing a pending one) once the caller has proven themselves again
   * (the step-up: a stolen access token alone must not put a thief's secret on the account); 409
   * while one is active. The pending secret is sealed for set-up only (`totp-setup:` below): the
   * confirmation opens nothing else, so a secret pending from before the step-up existed, or
   * written by any other path, can never be turned on. It lives TOTP_SETUP_TTL_MS.
   */
  async startTotp(user: UserProfile, proof: StepUpProof, actor: Actor): Promise<TotpEnrolment> {
    await this.users.proveStepUp(user.id, proof, actor, 'totp_setup');
    const secret = newTotpSecret();
    if (
      !(await this.store.startTotp(
        user.id,
        seal(secret, this.keys.totpSealing, setupAad(user.id)),
        new Date(),
      ))
    ) {
      throw new MfaAlreadyOnError();
    }
    this.auditLog.record('mfa.totp.setup_started', actor, { userId: user.id, proof: 'password' });
    const url = otpauthUrl(secret, this.issuer, user.name);
    return {
      secret: toBase32(secret),
      otpauthUrl: url,
      qrSvg: await QRCode.toString(url, { type: 'svg', margin: 2 }),
    };
  }

  /**
   * Activates the pending secret with a code from it, ends the user's other sessions and returns
   * the recovery codes: the only time they are ever shown.
   */
  async confirmTotp(user: UserProfile, code: string, actor: Actor): Promise<{ recoveryCodes: string[] }> {
    const pending = await this.store.findTotp(user.id);
    if (
      pending === null ||
      pending.confirmedAt !== null ||
      pending.createdAt.getTime() + TOTP_SETUP_TTL_MS <= Date.now()
    ) {
      throw new NoSetupPendingError();
    }
    const secret = this.openPendingSecret(user.id, pending.secretSealed);
    const step = matchTotp(secret, code, Date.now(), null);
    if (step === null) {
      throw new WrongSecondFactorError();
    }
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    const hashes = recoveryCodes.map((recovery) => hashRecoveryCode(recovery, this.keys.recoveryCodes));
    const active = this.sealSecret(user.id, secret);
    // The factor, its codes, the other sessions' end and the event: all of it commits or none.
    const ended = await this.auditLog.change(actor, async (transaction, record) => {
      const at = new Date();
      if (
        !(await this.store.confirmTotp(user.id, pending.secretSealed, active, step, hashes, at, transaction))
      ) {
        throw new NoSetupPendingError();
      }
      const ids = await this.sessions.endIn(transaction, { userId: user.id, keep: actor.sessionId }, 'mfa');
      await this.notices.sendIn(transaction, user.id, 'twoFactorEnabled');
      await record('mfa.totp.enabled', { userId: user.id, sessions: ids.length });
      return ids;
    });
    this.sessions.announceEnded(ended, 'mfa');
    this.notices.committed();
    return { recoveryCodes };
  }

  /**
   * Turns the second factor off after the step-up (the password again); ends the user's other
   * sessions.
   */
  async disableTotp(userId: number, proof: StepUpProof, actor: Actor): Promise<void> {
    await this.users.proveStepUp(userId, proof, actor, 'mfa_disable');
    const ended = await this.auditLog.change(actor, async (transaction, record) => {
      if (!(await this.store.removeTotp(userId, transaction))) {
        throw new MfaNotOnError();
      }
      const ids = await this.sessions.endIn(transaction, { userId, keep: actor.sessionId }, 'mfa');
      await this.notices.sendIn(transaction, userId, 'twoFactorDisabled');
      await record('mfa.totp.disabled', { userId, sessions: ids.length });
      return ids;
    });
    this.sessions.announceEnded(ended, 'mfa');
    this.notices.committed();
  }

  /** An operator's reset for a lost device: the factor goes and every session ends. */
  async resetTotp(
    userId: number,
    actor: Actor = OPERATOR,
  ): Promise<{ removed: boolean; sessionsEnded: number }> {
    const { removed, ended } = await this.auditLog.change(actor, async (transaction, record) => {
      const removed = await this.store.removeTotp(userId, transaction);
      const ended = await this.sessions.endIn(transaction, { userId }, 'mfa');
      if (removed) {
        await this.notices.sendIn(transaction, userId, 'twoFactorDisabled');
      }
      await record('mfa.totp.reset', { userId, removed, sessions: ended.length });
      return { removed, ended };
    });
    this.sessions.announceEnded(ended, 'mfa');
    this.notices.committed();
    return { removed, sessionsEnded: ended.length };
  }

  /**
   * After a right password: the challenge to answer, or null when the account has no second
   * factor. 429 while the account's second factor is held back, before any token is made.
   */
  async challengeAfterPassword(user: UserProfile, actor: Actor): Promise<MfaChallenge | null> {
    const totp = await this.store.findTotp(user.id);
    if (totp === null || totp.confirmedAt === null) {
      return null;
    }
    await this.attempts.refuseIfHeld(user.name, actor, 'mfa', ['login', 'mfa']);
    const mfaToken = randomBytes(32).toString('base64url');
    const now = new Date();
    await this.store.addChallenge(sha256(mfaToken), user.id, new Date(now.getTime() + MFA_TOKEN_TTL_MS), now);
    // Locked (MFA_FAILURE_LIMIT): the client learns up front that only a recovery code will do.
    const methods: MfaMethod[] = this.isLocked(totp) ? ['recovery'] : ['totp', 'recovery'];
    return { mfaRequired: true, mfaToken, methods };
  }

  /**
   * Another second factor (a passkey) proved the account's owner: the failed attempts start
   * again from 0, as after a right code.
   */
  async recordOtherFactorSuccess(userId: number): Promise<void> {
    await this.store.clearFailures(userId);
  }

  /**
   * Checks the second step of a login and spends its mfaToken: the user it completes, or an
   * exception (400 for a wrong code or token, 429 while held). A wrong code counts toward the
   * account's hold, both the login count and the second factor's own, which a right password
   * does not clear (else each password would buy LOGIN_FAILURE_LIMIT more guesses), and toward
   * the mfaToken's own MFA_TOKEN_MAX_FAILURES, and toward the account's failed attempts, which
   * only a success or an operator clears: at MFA_FAILURE_LIMIT TOTP codes are refused unchecked
   * (403), recovery codes still taken.
   */
  async completeLogin(proof: SecondFactorProof, actor: Actor): Promise<UserProfile> {
    const tokenHash = sha256(proof.mfaToken);
    const now = new Date();
    const userId = await this.store.findChallenge(tokenHash, now);
    const user = userId === null ? null : await this.users.findActive(userId);
    if (user === null) {
      throw new InvalidMfaTokenError();
    }
    await this.attempts.refuseIfHeld(user.name, actor, 'mfa', ['login', 'mfa']);
    const method: MfaMethod = proof.code !== undefined ? 'totp' : 'recovery';
    const totp = await this.store.findTotp(user.id);
    if (method === 'totp' && totp !== null && this.isLocked(totp)) {
      // Not checked, so not counted either; the mfaToken stays usable for a recovery code.
      this.auditLog.record('mfa.failed', actor, { userId: user.id, method, reason: 'locked' });
      throw new TotpLockedError();
    }
    if (!(await this.spend(user.id, totp, proof, now))) {
      const failures = await this.store.recordFailure(user.id);
      await this.attempts.recordFailure(user.name);
      await this.attempts.recordFailure(user.name, { scope: 'mfa' });
      // The password was right and the second factor wrong: the owner should hear of it.
      this.auditLog.record('mfa.failed', actor, {
        userId: user.id,
        method,
        reason: 'wrong_code',
        failures: failures ?? undefined,
      });
      if (failures === this.failureLimit) {
        this.auditLog.record('mfa.locked', actor, { userId: user.id, failures });
      }
      const usable = await this.store.recordChallengeFailure(tokenHash, MFA_TOKEN_MAX_FAILURES);
      throw new WrongSecondFactorError(!usable);
    }
    await this.store.clearFailures(user.id);
    if (!(await this.store.spendChallenge(tokenHash, new Date()))) {
      // Another request completed (or the token expired) meanwhile: the code is spent anyway.
      throw new InvalidMfaTokenError();
    }
    await this.attempts.recordSuccess(user.name, 'mfa');
    return { id: user.id, name: user.name };
  }

  private isLocked(totp: TotpCredentialEntity): boolean {
    return totp.failedAttempts >= this.failureLimit;
  }

  private async spend(
    userId: number,
    totp: TotpCredentialEntity | null,
    proof: SecondFactorProof,
    now: Date,
  ): Promise<boolean> {
    if (proof.recoveryCode !== undefined) {
      return this.store.spendRecoveryCode(
        userId,
        hashRecoveryCode(proof.recoveryCode, this.keys.recoveryCodes),
        now,
      );
    }
    if (totp === null || totp.confirmedAt === null) {
      return false;
    }
    const step = matchTotp(
      this.openSecret(userId, totp.secretSealed),
      proof.code ?? '',
      now.getTime(),
      totp.lastStep,
    );
    return step !== null && (await this.store.spendStep(userId, step, totp.lastStep, this.failureLimit));
  }

  private sealSecret(userId: number, secret: Buffer): string {
    return seal(secret, this.keys.totpSealing, `totp:${userId}`);
  }

  /** A pending secret sealed by startTotp; 409 for one sealed otherwise (from before the step-up). */
  private openPendingSecret(userId: number, sealed: string): Buffer {
    try {
      return unseal(sealed, this.keys.totpSealing, setupAad(userId));
    } catch (error) {
      if (error instanceof UnsealError) {
        throw new NoSetupPendingError();
      }
      throw error;
    }
  }

  private openSecret(userId: number, sealed: string): Buffer {
    return unseal(sealed, this.keys.totpSealing, `totp:${userId}`);
  }
}
