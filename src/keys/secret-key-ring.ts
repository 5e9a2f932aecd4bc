import { createHmac, type KeyObject } from 'node:crypto';
import { EMPTY_JWKS, KeyRing, type Signer, type Verifier } from './key-ring.js';

/**
 * JWT_ALGORITHM=HS256: one key, JWT_SECRET, signs and verifies everything, has no row and is
 * never published (the JWKS is empty). Nothing to load, rotate or revoke.
 */
export class SecretKeyRing extends KeyRing {
  readonly algorithms = ['HS256'] as const;
  private readonly signer: Signer;
  private readonly verifier: Verifier;

  constructor(secret: KeyObject) {
    super();
    this.signer = { kid: hs256Kid(secret), algorithm: 'HS256', key: secret };
    this.verifier = { algorithm: 'HS256', key: secret, acceptedFrom: 0, acceptedUntil: null };
  }

  currentSigner(): Signer {
    return this.signer;
  }

  verifierFor(kid: string | undefined): Promise<Verifier | undefined> {
    return Promise.resolve(this.accepts(kid) ? this.verifier : undefined);
  }

  /** HS256 tokens issued before tokens named their key (no kid) are still taken. */
  accepts(kid: string | undefined): boolean {
    return kid === undefined || kid === this.signer.kid;
  }

  jwks(): string {
    return EMPTY_JWKS;
  }
}

/** A name for the HS256 key that says nothing about it: HMAC of a fixed label, shortened. */
export function hs256Kid(secret: KeyObject): string {
  return `hs-${createHmac('sha256', secret).update('nest-jwt-auth kid').digest('base64url').slice(0, 16)}`;
}
