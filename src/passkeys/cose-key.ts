import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/** COSE key parameters (RFC 9052 §7, RFC 9053): the map's integer labels. */
const KTY = 1;
const ALG = 3;
const CRV = -1;
const X = -2;
const Y = -3;
const RSA_N = -1;
const RSA_E = -2;

const KTY_OKP = 1;
const KTY_EC2 = 2;
const KTY_RSA = 3;

/** Each EC2 algorithm's one curve (RFC 9053 §2.1; WebAuthn §5.8.5): its COSE id, JWK name and coordinate size. */
const EC2_CURVES: Record<number, { crv: number; jwk: string; bytes: number }> = {
  [-7]: { crv: 1, jwk: 'P-256', bytes: 32 }, // ES256
  [-35]: { crv: 2, jwk: 'P-384', bytes: 48 }, // ES384
  [-36]: { crv: 3, jwk: 'P-521', bytes: 66 }, // ES512
  [-47]: { crv: 8, jwk: 'secp256k1', bytes: 32 }, // ES256K
};
/** EdDSA over Ed25519 (crv 6): what authenticators send as alg -8. */
const EDDSA = -8;
const ED25519 = 6;
/** RS256..RS512, PS256..PS512 and RS1 (Windows Hello's legacy keys). */
const RSA_ALGORITHMS = new Set([-257, -258, -259, -37, -38, -39, -65535]);
const RSA_MIN_BITS = 2048;
const RSA_MAX_BITS = 16384;

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const isBytes = (value: unknown, length?: number): value is Uint8Array =>
  value instanceof Uint8Array && (length === undefined || value.length === length);

/**
 * Why a credential public key (the COSE_Key of a registration's attested data) can never verify a
 * signature, or undefined. verifyRegistrationResponse() only reads its algorithm: with attestation
 * "none" nothing is signed with the key at registration, so a key with no coordinates, a point off
 * its curve or a curve that is not its algorithm's would be stored and then refuse every sign-in.
 * node:crypto's createPublicKey() is the final word: it refuses an EC point off the curve.
 */
export function coseKeyProblem(cose: Uint8Array): string | undefined {
  let key: unknown;
  try {
    key = isoCBOR.decodeFirst<unknown>(new Uint8Array(cose));
  } catch {
    return 'it is not a COSE key';
  }
  if (!(key instanceof Map)) {
    return 'it is not a COSE key';
  }
  const map = key as Map<number, unknown>;
  const kty = map.get(KTY);
  const alg = map.get(ALG);
  if (typeof alg !== 'number') {
    return 'it names no algorithm';
  }
  let jwk: JsonWebKey;
  if (kty === KTY_EC2) {
    const curve = EC2_CURVES[alg];
    if (curve === undefined) {
      return 'its algorithm is not one for an EC2 key';
    }
    if (map.get(CRV) !== curve.crv) {
      return "its curve is not its algorithm's";
    }
    const [x, y] = [map.get(X), map.get(Y)];
    if (!isBytes(x, curve.bytes) || !isBytes(y, curve.bytes)) {
      return `its x and y coordinates must be ${curve.bytes} bytes each`;
    }
    jwk = { kty: 'EC', crv: curve.jwk, x: b64url(x), y: b64url(y) };
  } else if (kty === KTY_OKP) {
    if (alg !== EDDSA || map.get(CRV) !== ED25519) {
      return 'an OKP key must be EdDSA over Ed25519';
    }
    const x = map.get(X);
    if (!isBytes(x, 32)) {
      return 'its x coordinate must be 32 bytes';
    }
    if (!isEd25519Point(x)) {
      return 'its point is not on the curve';
    }
    jwk = { kty: 'OKP', crv: 'Ed25519', x: b64url(x) };
  } else if (kty === KTY_RSA) {
    if (!RSA_ALGORITHMS.has(alg)) {
      return 'its algorithm is not one for an RSA key';
    }
    const [n, e] = [map.get(RSA_N), map.get(RSA_E)];
    if (!isBytes(n) || !isBytes(e) || e.length === 0 || e.length > 8) {
      return 'an RSA key needs its modulus and exponent';
    }
    const modulus = BigInt(`0x${Buffer.from(n).toString('hex') || '0'}`);
    const exponent = BigInt(`0x${Buffer.from(e).toString('hex')}`);
    const bits = modulus.toString(2).length;
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS || modulus % 2n === 0n) {
      return `its modulus must be an odd number of ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits`;
    }
    if (exponent < 3n || exponent % 2n === 0n) {
      return 'its exponent must be odd and at least 3';
    }
    jwk = { kty: 'RSA', n: b64url(n), e: b64url(e) };
  } else {
    return 'its key type is not EC2, OKP or RSA';
  }
  try {
    createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return 'its point is not on the curve';
  }
  return undefined;
}

const P = 2n ** 255n - 19n;

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = base % P;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) {
      result = (result * b) % P;
    }
    b = (b * b) % P;
  }
  return result;
}

/**
 * Whether 32 bytes decode to a point of Ed25519 (RFC 8032 §5.1.3): y below p, and
 * (y² - 1) / (d·y² + 1) a square. OpenSSL imports any 32 bytes as a key, so this is checked here.
 */
function isEd25519Point(bytes: Uint8Array): boolean {
  const little = Buffer.from(bytes).reverse();
  little[0] &= 0x7f;
  const y = BigInt(`0x${little.toString('hex')}`);
  if (y >= P) {
    return false;
  }
  const d = (((-121665n % P) + P) % P) * power(121666n, P - 2n);
  const y2 = (y * y) % P;
  const u = (y2 - 1n + P) % P;
  const v = (((d % P) * y2) % P) + 1n;
  const x2 = (u * power(v, P - 2n)) % P;
  // Euler's criterion: a square (or 0) to the (p-1)/2 is 1 (or 0).
  const legendre = power(x2, (P - 1n) / 2n);
  return legendre === 0n || legendre === 1n;
}
