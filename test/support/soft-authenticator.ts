import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/** Authenticator data flags (WebAuthn §6.1): user present, user verified, attested credential data. */
export const UP = 0x01;
export const UV = 0x04;
export const AT = 0x40;

export const TEST_RP_ID = 'localhost';
/** The default origin (WEBAUTHN_ORIGIN unset): http://localhost:PORT, PORT unset in the tests. */
export const TEST_ORIGIN = 'http://localhost:3000';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const b64url = (data: Buffer | Uint8Array) => Buffer.from(data).toString('base64url');

/** What a ceremony is signed as: the defaults are a well-behaved platform authenticator's. */
export interface Ceremony {
  origin?: string;
  rpId?: string;
  flags?: number;
  /** The signature counter to report; by default one more than the last. */
  counter?: number;
  /** The challenge to sign, instead of the options' own. */
  challenge?: string;
  /**
   * The COSE_Key a registration sends instead of this key's own, made from its coordinates: a
   * broken authenticator's key (no coordinates, a point off the curve, another curve...).
   */
  coseKey?: (own: { x: Buffer; y: Buffer }) => Map<number, unknown>;
}

/**
 * A software authenticator: an ES256 (P-256) key made with node:crypto, answering WebAuthn
 * options as a browser with @simplewebauthn/browser would send them: clientDataJSON, the
 * authenticator data and, for a registration, a CBOR attestation object of format "none".
 */
export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  counter: number;
  userHandle?: string;

  /** `counting` false: an authenticator that always reports 0, as synced passkeys do. */
  constructor(private readonly counting = true) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
    }));
    this.counter = 0;
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  /** The answer to POST /user/passkeys/registration-options' `options`. */
  register(options: Record<string, unknown>, ceremony: Ceremony = {}) {
    const { origin = TEST_ORIGIN, rpId = TEST_RP_ID, flags = UP | UV | AT } = ceremony;
    this.userHandle = (options.user as { id: string }).id;
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: 'webauthn.create',
        challenge: ceremony.challenge ?? (options.challenge as string),
        origin,
        crossOrigin: false,
      }),
    );
    const authData = Buffer.concat([
      this.authData(rpId, flags, ceremony.counter ?? this.counter),
      this.attested(ceremony.coseKey),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]) as never,
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** The answer to POST /login/passkey/options' `options`, signed with this key. */
  authenticate(options: Record<string, unknown>, ceremony: Ceremony = {}) {
    const { origin = TEST_ORIGIN, rpId = TEST_RP_ID, flags = UP | UV } = ceremony;
    const counter = ceremony.counter ?? (this.counting ? this.counter + 1 : 0);
    this.counter = Math.max(this.counter, counter);
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: 'webauthn.get',
        challenge: ceremony.challenge ?? (options.challenge as string),
        origin,
        crossOrigin: false,
      }),
    );
    const authData = this.authData(rpId, flags, counter);
    // ES256 signatures are DER-encoded ECDSA, node:crypto's default for EC keys.
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(this.userHandle === undefined ? {} : { userHandle: this.userHandle }),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** rpIdHash (32) | flags (1) | signCount (4, big-endian). */
  private authData(rpId: string, flags: number, counter: number): Buffer {
    const tail = Buffer.alloc(5);
    tail.writeUInt8(flags, 0);
    tail.writeUInt32BE(counter, 1);
    return Buffer.concat([sha256(rpId), tail]);
  }

  /** aaguid (16 zero bytes) | credentialIdLength (2) | credentialId | the COSE_Key (EC2, ES256, P-256). */
  private attested(coseKey?: Ceremony['coseKey']): Buffer {
    const jwk = this.publicKey.export({ format: 'jwk' });
    const own = { x: Buffer.from(jwk.x!, 'base64url'), y: Buffer.from(jwk.y!, 'base64url') };
    const cose = isoCBOR.encode(
      (coseKey?.(own) ??
        new Map<number, unknown>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, new Uint8Array(own.x)],
          [-3, new Uint8Array(own.y)],
        ])) as never,
    );
    const length = Buffer.alloc(2);
    length.writeUInt16BE(this.credentialId.length);
    return Buffer.concat([Buffer.alloc(16), length, this.credentialId, Buffer.from(cose)]);
  }
}
