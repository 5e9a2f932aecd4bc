/**
 * One text per ECDSA signature. If (r, s) verifies, so does (r, n - s), n the curve's order: a
 * second, equally valid signature of the same token that anyone can compute from the first. This
 * service issues only the low form (s <= n / 2) and accepts nothing else, as Bitcoin does (BIP 146), so
 * a token we issued has exactly one accepted text (docs/tokens.md#one-text-per-token).
 */

/** The order n of each ECDSA algorithm's curve, big-endian, and the byte length of r and of s. */
const CURVES: Record<string, { order: bigint; half: Buffer; size: number }> = {};

function curve(algorithm: string, orderHex: string): void {
  const order = BigInt(`0x${orderHex}`);
  const size = orderHex.length / 2;
  CURVES[algorithm] = {
    order,
    half: Buffer.from((order >> 1n).toString(16).padStart(size * 2, '0'), 'hex'),
    size,
  };
}

// P-256 (RFC 7518 section 3.4, SEC 2). The only ECDSA algorithm the service signs or accepts.
curve('ES256', 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** Whether `algorithm` is an ECDSA one this module knows the curve of. */
export const isEcdsa = (algorithm: string): boolean => algorithm in CURVES;

/**
 * Whether a JOSE ECDSA signature (r || s, RFC 7518 section 3.4) has the low S this service
 * issues. A byte comparison, no arithmetic: it runs for every token not yet verified.
 * False for a signature of the wrong length.
 */
export function hasLowS(algorithm: string, signature: Buffer): boolean {
  const spec = CURVES[algorithm];
  if (spec === undefined || signature.length !== spec.size * 2) {
    return false;
  }
  return Buffer.compare(signature.subarray(spec.size), spec.half) <= 0;
}

/** The signature with s replaced by n - s when s is high; the same text when it is already low. */
export function toLowS(algorithm: string, signature: Buffer): Buffer {
  const spec = CURVES[algorithm];
  if (spec === undefined || signature.length !== spec.size * 2) {
    throw new Error(`not a JOSE ${algorithm} signature`);
  }
  if (hasLowS(algorithm, signature)) {
    return signature;
  }
  const s = BigInt(`0x${signature.subarray(spec.size).toString('hex')}`);
  const low = Buffer.from((spec.order - s).toString(16).padStart(spec.size * 2, '0'), 'hex');
  return Buffer.concat([signature.subarray(0, spec.size), low]);
}

/**
 * A compact JWS signed by jsonwebtoken with its signature in the low form: node's crypto (and so
 * jsonwebtoken) returns a high S about half the time. Other algorithms pass unchanged.
 */
export function withLowS(algorithm: string, jws: string): string {
  if (!isEcdsa(algorithm)) {
    return jws;
  }
  const dot = jws.lastIndexOf('.');
  const signature = Buffer.from(jws.slice(dot + 1), 'base64url');
  return `${jws.slice(0, dot + 1)}${toLowS(algorithm, signature).toString('base64url')}`;
}
