import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Actor } from '../common/request-context/actor.js';
import type { RelyingParty } from '../config/webauthn.js';
import { AuditLog } from '../logging/audit.js';
import { AccountNotices } from '../users/account-notices.js';
import type { StepUpProof } from '../users/step-up.js';
import type { UserProfile } from '../users/user-profile.js';
import { UsersService } from '../users/users.service.js';
import { coseKeyProblem } from './cose-key.js';
import type { ChallengePurpose } from './passkey-challenge.entity.js';
import { CHALLENGE_TTL_MS, DEFAULT_PASSKEY_NAME, PASSKEYS_PER_USER } from './passkey-limits.js';
import { toPasskeyView, type PasskeyView } from './passkey-views.js';
import {
  InvalidPasskeyChallengeError,
  PasskeyLimitError,
  PasskeyNotFoundError,
  PasskeyRefusedError,
  PasskeyRegistrationRefusedError,
} from './passkeys.errors.js';
import { PasskeysRepository } from './passkeys.repository.js';
import { REGISTRATION_MESSAGES, refusalOf, type Refusal } from './passkey-refusals.js';

export const RELYING_PARTY = Symbol('RELYING_PARTY');

export { INVALID_CHALLENGE, PASSKEY_REFUSED } from './passkeys.errors.js';

/** A ceremony's options, and the id the answer must come back with. */
export interface PasskeyOptions {
  challengeId: string;
  options: Record<string, unknown>;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * Passkeys (WebAuthn discoverable credentials, docs/passkeys.md): a user's list, adding one,
 * removing one, and checking a sign-in. AuthService turns a checked sign-in into tokens.
 */
@Injectable()
export class PasskeysService {
  constructor(
    private readonly store: PasskeysRepository,
    private readonly users: UsersService,
    @Inject(RELYING_PARTY) private readonly rp: RelyingParty,
    private readonly auditLog: AuditLog,
    private readonly notices: AccountNotices,
  ) {}

  async list(userId: number): Promise<PasskeyView[]> {
    return (await this.store.listOf(userId)).map(toPasskeyView);
  }

  /**
   * The options for navigator.credentials.create(): a discoverable credential, the user verified.
   * Only after the step-up (a stolen access token alone must not add a thief's passkey): the
   * challenge it makes is the proof's, single-use, CHALLENGE_TTL_MS long and this user's, so
   * add() inherits the proof (docs/security.md#step-up).
   */
  async registrationOptions(user: UserProfile, proof: StepUpProof, actor: Actor): Promise<PasskeyOptions> {
    await this.users.proveStepUp(user.id, proof, actor, 'passkey_add');
    const existing = await this.store.listOf(user.id);
    if (existing.length >= PASSKEYS_PER_USER) {
      throw new PasskeyLimitError();
    }
    // One handle per user, random (no personal data), kept by every passkey of theirs.
    const userHandle = existing[0]?.userHandle ?? randomBytes(32).toString('base64url');
    const options = await generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      userName: user.name,
      userDisplayName: user.name,
      userID: Buffer.from(userHandle, 'base64url'),
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((passkey) => ({
        id: passkey.credentialId,
        transports: transportsOf(passkey.transports),
      })),
      authenticatorSelection: {
        residentKey: 'required',
        requireResidentKey: true,
        userVerification: 'required',
      },
    });
    const challengeId = await this.saveChallenge('proven_reg', options.challenge, user.id, userHandle);
    this.auditLog.record('passkey.registration_started', actor, { userId: user.id, proof: 'password' });
    return { challengeId, options: options as unknown as Record<string, unknown> };
  }

  /** Verifies the browser's answer to registrationOptions() and stores the passkey (400 if refused). */
  async add(
    user: UserProfile,
    challengeId: string,
    response: Record<string, unknown>,
    name: string | undefined,
    actor: Actor,
  ): Promise<PasskeyView> {
    const challenge = await this.spendChallenge(challengeId, 'proven_reg', user.id);
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response: response as unknown as RegistrationResponseJSON,
        expectedChallenge: challenge.challenge,
        expectedOrigin: this.rp.origins,
        expectedRPID: this.rp.id,
        requireUserPresence: true,
        requireUserVerification: true,
      });
    } catch (error) {
      throw this.registrationRefused(refusalOf(error), user.id, actor);
    }
    if (!verified.verified) {
      throw this.registrationRefused('signature', user.id, actor);
    }
    const { credential } = verified.registrationInfo;
    // Attestation "none" signs nothing with the key: a key that can never verify would be stored.
    const keyProblem = coseKeyProblem(credential.publicKey);
    if (keyProblem !== undefined) {
      throw this.registrationRefused('public_key', user.id, actor, keyProblem);
    }
    if ((await this.store.listOf(user.id)).length >= PASSKEYS_PER_USER) {
      throw new PasskeyLimitError();
    }
    const passkey = {
      id: randomUUID(),
      userId: user.id,
      name: name ?? DEFAULT_PASSKEY_NAME,
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: (credential.transports ?? []).join(','),
      userHandle: challenge.userHandle ?? '',
      createdAt: new Date(),
      lastUsedAt: null,
    };
    // CredentialTakenError (409) when the credential is registered already, to anyone.
    await this.auditLog.change(actor, async (transaction, record) => {
      await this.store.add(passkey, transaction);
      await this.notices.sendIn(transaction, user.id, 'passkeyAdded');
      await record('passkey.added', { userId: user.id, passkeyId: passkey.id });
    });
    this.notices.committed();
    return toPasskeyView(passkey);
  }

  /** Removes one of the caller's passkeys: 404 for an id that is not theirs (or no one's). */
  async remove(userId: number, id: string, actor: Actor): Promise<void> {
    await this.auditLog.change(actor, async (transaction, record) => {
      if (!(await this.store.remove(userId, id, transaction))) {
        throw new PasskeyNotFoundError();
      }
      await record('passkey.removed', { userId, passkeyId: id });
    });
  }

  /** The options for navigator.credentials.get(): any of this site's passkeys, the user verified. */
  async authenticationOptions(): Promise<PasskeyOptions> {
    const options = await generateAuthenticationOptions({
      rpID: this.rp.id,
      userVerification: 'required',
      timeout: CHALLENGE_TTL_MS,
    });
    const challengeId = await this.saveChallenge('authentication', options.challenge, null, null);
    return { challengeId, options: options as unknown as Record<string, unknown> };
  }

  /**
   * Checks a sign-in: the challenge (spent first, whatever follows: 400 when it is not a live
   * sign-in challenge), then the passkey, its signature over this site's origin and RP ID with
   * the user verified, a counter that moved forward, and an enabled account. Every refusal
   * after the challenge is the same 401, with its reason on the audit line. A passkey is both
   * factors (something held, verified by PIN or biometric): no second step follows.
   */
  async authenticate(
    challengeId: string,
    response: Record<string, unknown>,
    actor: Actor,
  ): Promise<UserProfile> {
    const challenge = await this.spendChallenge(challengeId, 'authentication', null);
    const answer = response as unknown as AuthenticationResponseJSON;
    const passkey = await this.store.findByCredentialId(answer.id);
    if (passkey === null) {
      throw this.signInRefused('unknown_credential', actor);
    }
    const refuse = (reason: Refusal) => this.signInRefused(reason, actor, passkey.userId, passkey.id);
    const userHandle = answer.response.userHandle;
    if (userHandle !== undefined && userHandle !== null && userHandle !== passkey.userHandle) {
      throw refuse('user_handle');
    }
    let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verified = await verifyAuthenticationResponse({
        response: answer,
        expectedChallenge: challenge.challenge,
        expectedOrigin: this.rp.origins,
        expectedRPID: this.rp.id,
        // Counter 0 here: the library would compare before checking the signature; we compare
        // after it (below), so only a genuinely signed regression is reported as one.
        credential: {
          id: passkey.credentialId,
          publicKey: Buffer.from(passkey.publicKey, 'base64url'),
          counter: 0,
          transports: transportsOf(passkey.transports),
        },
        requireUserVerification: true,
      });
    } catch (error) {
      throw refuse(refusalOf(error));
    }
    if (!verified.verified) {
      throw refuse('signature');
    }
    const counter = verified.authenticationInfo.newCounter;
    const forward = counter === 0 ? passkey.counter === 0 : counter > passkey.counter;
    if (!forward || !(await this.store.recordUse(passkey.id, counter, new Date()))) {
      // A signature whose counter did not move forward: the key may have been copied.
      this.auditLog.record('passkey.counter_regressed', actor, {
        userId: passkey.userId,
        passkeyId: passkey.id,
        stored: passkey.counter,
        received: counter,
      });
      throw refuse('counter');
    }
    const user = await this.users.findActive(passkey.userId);
    if (user === null) {
      throw refuse('disabled');
    }
    if (passkey.lastUsedAt === null) {
      // A passkey that signs in for the first time: the moment a thief's would show itself.
      this.auditLog.record('passkey.first_used', actor, { userId: user.id, passkeyId: passkey.id });
    }
    this.users.recordLogin(user.id);
    return { id: user.id, name: user.name };
  }

  private async saveChallenge(
    purpose: ChallengePurpose,
    challenge: string,
    userId: number | null,
    userHandle: string | null,
  ): Promise<string> {
    const challengeId = randomBytes(32).toString('base64url');
    await this.store.addChallenge({
      idHash: sha256(challengeId),
      purpose,
      userId,
      challenge,
      userHandle,
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
    });
    return challengeId;
  }

  /** Spends the challenge (it is gone after this, whatever follows); 400 unless it is a live one of this purpose and user. */
  private async spendChallenge(challengeId: string, purpose: ChallengePurpose, userId: number | null) {
    const now = new Date();
    const challenge = await this.store.spendChallenge(sha256(challengeId), now);
    if (
      challenge === null ||
      challenge.purpose !== purpose ||
      challenge.userId !== userId ||
      challenge.expiresAt.getTime() <= now.getTime()
    ) {
      throw new InvalidPasskeyChallengeError();
    }
    return challenge;
  }

  private registrationRefused(
    reason: Refusal,
    userId: number,
    actor: Actor,
    keyProblem?: string,
  ): PasskeyRegistrationRefusedError {
    this.auditLog.record('passkey.failed', actor, { ceremony: 'registration', reason, userId });
    return new PasskeyRegistrationRefusedError(
      keyProblem !== undefined
        ? `the passkey's public key can never verify a signature: ${keyProblem}`
        : (REGISTRATION_MESSAGES[reason] ?? 'the passkey could not be verified'),
    );
  }

  private signInRefused(
    reason: Refusal,
    actor: Actor,
    userId?: number,
    passkeyId?: string,
  ): PasskeyRefusedError {
    this.auditLog.record('passkey.failed', actor, {
      ceremony: 'authentication',
      reason,
      userId,
      passkeyId,
    });
    return new PasskeyRefusedError();
  }
}

const KNOWN_TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

function transportsOf(stored: string): AuthenticatorTransportFuture[] {
  return stored
    .split(',')
    .filter((transport) => KNOWN_TRANSPORTS.has(transport)) as AuthenticatorTransportFuture[];
}
