import { deriveSealingKey } from '../common/crypto/sealing.js';

/** The keys src/mfa/ derives from the service's key-encryption secret, one per purpose. */
export interface MfaKeys {
  /** Seals TOTP secrets at rest (AES-256-GCM, as the signing keys are). */
  totpSealing: Buffer;
  /** Keys the recovery codes' HMAC. */
  recoveryCodes: Buffer;
}

export const MFA_KEYS = Symbol('MFA_KEYS');

export function deriveMfaKeys(secret: Buffer): MfaKeys {
  return {
    totpSealing: deriveSealingKey(secret, 'nest-jwt-auth totp-secret encryption v1'),
    recoveryCodes: deriveSealingKey(secret, 'nest-jwt-auth recovery-code hash v1'),
  };
}
