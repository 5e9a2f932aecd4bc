// Forged access tokens, after the classes of attack that jwt_tool's playbook tries. Each is
// built from a genuine token and, where a signature means something, signed correctly (with the
// real secret unless the attack is the key), so that the one defect named is what gets refused.
import {
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { b64url, encode, HS256, signRaw, signSegments, type ServiceKey } from './tokens.js';

// test/e2e/fuzz.e2e-spec.ts signs its tokens with these.
export { encode, signRaw };

export interface ForgedToken {
  name: string;
  token: string;
}

export interface ForgeryContext {
  /** An access token the service issued. */
  genuine: string;
  /** JWT_SECRET: the HS256 key with JWT_ALGORITHM=HS256, otherwise only what wraps the stored keys. */
  secret: string;
  /** The key the service signs with now (test/support/tokens.ts serviceKey). */
  key: ServiceKey;
  /** Base URL of a listener that jku and x5u point to; the service must never contact it. */
  keyServerUrl: string;
}

export interface Forgery {
  name: string;
  build: (kit: Kit) => string;
}

type Json = Record<string, unknown>;

/** What the builders work from: the genuine token taken apart, and an attacker's RSA key. */
export interface Kit {
  header: Json;
  claims: Json;
  /** The genuine token's encoded header, payload and signature. */
  h: string;
  p: string;
  s: string;
  secret: string;
  key: ServiceKey;
  /** The service's public key (ES256/RS256), else the attacker's: what a confusion attack HMACs with. */
  publicKey: KeyObject;
  keyServerUrl: string;
  attackerKey: KeyObject;
  attackerEcKey: KeyObject;
  attackerJwk: JsonWebKey;
  now: number;
}

const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString()) as Json;

/** The header and payload as JSON, HMAC-signed (with the real secret unless told). */
const hs = (
  kit: Kit,
  header: unknown,
  payload: unknown,
  key: string | Buffer = kit.secret,
  hash = 'sha256',
) => signRaw(encode(header), encode(payload), key, hash);

/** The header and payload as JSON, signed with the service's own key in its own algorithm. */
const real = (kit: Kit, header: unknown, payload: unknown) =>
  signSegments(kit.key, encode(header), encode(payload));

/** Segments as given, signed with the service's own key. */
const realRaw = (kit: Kit, h64: string, p64: string, digest: 'base64url' | 'base64' = 'base64url') =>
  signSegments(kit.key, h64, p64, digest);

/** A header naming the service's kid over another algorithm. */
const naming = (kit: Kit, alg: unknown, extra: Json = {}) => ({
  alg,
  typ: 'JWT',
  kid: kit.header.kid,
  ...extra,
});

/** RS256 with the attacker's own private key. */
const rs256 = (kit: Kit, header: unknown, payload: unknown) => {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), kit.attackerKey).toString('base64url')}`;
};

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** A last base64url character with its lowest bit flipped: unused for 32-, 64- and 256-byte signatures. */
const withUnusedBit = (last: string) => BASE64URL[BASE64URL.indexOf(last) ^ 1];

/** The genuine claims with some replaced (`undefined` removes one). */
const claims = (kit: Kit, overrides: Json = {}) => ({ ...kit.claims, ...overrides });

/** The order of P-256, ES256's curve. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * An ES256 signature (r || s) as (r, n - s): the other signature ECDSA's math accepts for the same
 * input, so a second text of a genuine token. Other algorithms get n - x on their last 32 bytes,
 * just one more altered signature.
 */
function otherS(signature: string): string {
  const bytes = Buffer.from(signature, 'base64url');
  const s = BigInt(`0x${bytes.subarray(-32).toString('hex')}`);
  const other = Buffer.from(
    ((P256_ORDER - s + P256_ORDER) % P256_ORDER).toString(16).padStart(64, '0'),
    'hex',
  );
  return Buffer.concat([bytes.subarray(0, -32), other]).toString('base64url');
}

function flipBit(signature: string, bit: number): string {
  const bytes = Buffer.from(signature, 'base64url');
  bytes[bit >> 3] ^= 1 << (bit & 7);
  return bytes.toString('base64url');
}

/**
 * `[[[...]]]` as text: JSON.stringify itself overflows the stack at such depths, and arrays are
 * the deepest nesting per byte (5000 levels still fit in Node's 16 KiB of request headers).
 */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** The genuine claims with `claim` padded so that the whole token is `size` characters long. */
function padded(kit: Kit, claim: string, size: number): string {
  const bare = `${kit.h}.${encode(claims(kit, { [claim]: '' }))}.${kit.s}`;
  // Base64url turns every 3 bytes into 4 characters; `a` is one byte of JSON.
  const pad = 'a'.repeat(Math.floor(((size - bare.length) * 3) / 4));
  return real(kit, kit.header, claims(kit, { [claim]: pad }));
}

/** `object` as JSON with `key` set to raw JSON text. */
const withRaw = (object: Json, key: string, json: string) =>
  `${JSON.stringify(object).slice(0, -1)},${JSON.stringify(key)}:${json}}`;

const NONE_SPELLINGS = ['none', 'None', 'NONE', 'nOnE'];

const WEAK_SECRETS = [
  'secret',
  'password',
  '123456',
  'changeme',
  'changeit',
  'your-256-bit-secret',
  'a-string-secret-at-least-256-bits-long',
  'secretKey',
  'secret123',
  'supersecret',
  'mysecret',
  'jwt_secret',
  'jwtsecret',
  'shhhhh',
  'keyboard cat',
  'key',
  'test',
  'admin',
  'nest-jwt-auth',
];

const ASYMMETRIC_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'ES256K',
  'EdDSA',
];

const at = (kit: Kit, seconds: number) => kit.now + seconds;
const YEAR = 365 * 86_400;

/** One exp/nbf/iat defect: a name and the claims to put under the real secret. */
const timestampCases = (claim: 'exp' | 'nbf' | 'iat'): Forgery[] => {
  /** The genuine value (nbf is not issued: now). */
  const genuine = (kit: Kit) => (kit.claims[claim] as number | undefined) ?? kit.now;
  const cases: [string, (kit: Kit) => Json][] = [
    ['as a string', (kit) => ({ [claim]: String(genuine(kit)) })],
    ['null', () => ({ [claim]: null })],
    ['1e308', () => ({ [claim]: 1e308 })],
    ['2**63', () => ({ [claim]: 2 ** 63 })],
    ['negative', () => ({ [claim]: -1 })],
    ['zero', () => ({ [claim]: 0 })],
    ['fractional', (kit) => ({ [claim]: genuine(kit) + 0.5 })],
    [
      'in the past',
      (kit) =>
        claim === 'exp'
          ? { iat: at(kit, -3900), exp: at(kit, -3600) }
          : claim === 'iat'
            ? { iat: at(kit, -YEAR) }
            : { nbf: at(kit, -60) },
    ],
    [
      'in the future',
      (kit) =>
        claim === 'exp'
          ? { exp: at(kit, 10 * YEAR) }
          : claim === 'iat'
            ? { iat: at(kit, 3600), exp: at(kit, 3900) }
            : { nbf: at(kit, 3600) },
    ],
  ];
  return cases.map(([what, overrides]) => ({
    name: `${claim} ${what}`,
    build: (kit) => real(kit, kit.header, claims(kit, overrides(kit))),
  }));
};

/**
 * Every forgery, by name. Names are fixed so that a test can list them (it.each) before the
 * genuine token exists; build them with forgeTokens() once it does.
 */
export const FORGERIES: readonly Forgery[] = [
  // alg none, in four spellings: unsigned, with the original signature, and HMAC-signed.
  ...NONE_SPELLINGS.flatMap((alg): Forgery[] => [
    { name: `alg ${alg}, empty signature`, build: (kit) => `${encode({ alg, typ: 'JWT' })}.${kit.p}.` },
    { name: `alg ${alg}, no signature segment`, build: (kit) => `${encode({ alg, typ: 'JWT' })}.${kit.p}` },
    {
      name: `alg ${alg}, the original signature`,
      build: (kit) => `${encode({ alg, typ: 'JWT' })}.${kit.p}.${kit.s}`,
    },
    {
      name: `alg ${alg}, HMAC-signed with the real secret`,
      build: (kit) => hs(kit, { alg, typ: 'JWT' }, kit.claims),
    },
  ]),

  // Signatures that are missing, truncated or altered.
  { name: 'empty (null) signature', build: (kit) => `${kit.h}.${kit.p}.` },
  { name: 'no signature segment', build: (kit) => `${kit.h}.${kit.p}` },
  { name: 'the signature "null"', build: (kit) => `${kit.h}.${kit.p}.null` },
  {
    name: 'an all-zero signature',
    build: (kit) => `${kit.h}.${kit.p}.${b64url(Buffer.alloc(Buffer.from(kit.s, 'base64url').length))}`,
  },
  { name: 'signature truncated by one character', build: (kit) => `${kit.h}.${kit.p}.${kit.s.slice(0, -1)}` },
  {
    name: 'signature truncated by one byte',
    build: (kit) => `${kit.h}.${kit.p}.${b64url(Buffer.from(kit.s, 'base64url').subarray(0, -1))}`,
  },
  { name: 'signature truncated to half', build: (kit) => `${kit.h}.${kit.p}.${kit.s.slice(0, 21)}` },
  { name: 'signature truncated to one byte', build: (kit) => `${kit.h}.${kit.p}.${kit.s.slice(0, 2)}` },
  ...[0, 7, 100, 128, 200, 255].map((bit): Forgery => ({
    name: `signature with bit ${bit} flipped`,
    build: (kit) => `${kit.h}.${kit.p}.${flipBit(kit.s, bit)}`,
  })),
  {
    name: 'the signature of another token',
    build: (kit) =>
      `${kit.h}.${kit.p}.${real(kit, kit.header, claims(kit, { jti: randomUUID() })).split('.')[2]}`,
  },
  { name: 'the signature twice', build: (kit) => `${kit.h}.${kit.p}.${kit.s}${kit.s}` },
  {
    // The same signature bytes in another text: base64url's last character has unused bits.
    name: 'the signature with its unused trailing bit set (non-canonical base64url)',
    build: (kit) => `${kit.h}.${kit.p}.${kit.s.slice(0, -1)}${withUnusedBit(kit.s.at(-1)!)}`,
  },
  {
    // ECDSA's malleability: (r, s) and (r, n - s) both verify; only the low S the service issues is accepted.
    name: 'the ECDSA signature with the other S (n - s)',
    build: (kit) => `${kit.h}.${kit.p}.${otherS(kit.s)}`,
  },
  {
    name: 'the signature with a padding character',
    build: (kit) => `${kit.h}.${kit.p}.${kit.s}=`,
  },

  // Claims changed under the original header and signature.
  ...(
    [
      ['id and sub of another user', { id: 2, sub: '2' }],
      ['sub of another user', { sub: '2' }],
      ['name changed', { name: 'root' }],
      ['exp extended by a day', 'exp+'],
      ['exp removed', { exp: undefined }],
      ['sid swapped', 'sid'],
      ['iss changed', { iss: 'someone-else' }],
      ['aud changed', { aud: 'someone-else' }],
      ['a claim added', { admin: true }],
    ] as [string, Json | 'exp+' | 'sid'][]
  ).map(([what, change]): Forgery => ({
    name: `original signature, ${what}`,
    build: (kit) => {
      const overrides =
        change === 'exp+'
          ? { exp: (kit.claims.exp as number) + 86_400 }
          : change === 'sid'
            ? { sid: randomUUID() }
            : change;
      return `${kit.h}.${encode(claims(kit, overrides))}.${kit.s}`;
    },
  })),
  {
    name: 'original signature, same claims re-serialised with whitespace',
    build: (kit) => `${kit.h}.${b64url(JSON.stringify(kit.claims, null, 1))}.${kit.s}`,
  },

  // HS256 with a key that is not the service's.
  { name: 'HS256 with an empty key', build: (kit) => hs(kit, naming(kit, 'HS256'), kit.claims, '') },
  {
    name: 'HS256 with a random key',
    build: (kit) => hs(kit, naming(kit, 'HS256'), kit.claims, randomBytes(32)),
  },
  {
    name: 'HS256 with the real secret plus a newline',
    build: (kit) => hs(kit, naming(kit, 'HS256'), kit.claims, `${kit.secret}\n`),
  },
  ...WEAK_SECRETS.map((secret): Forgery => ({
    name: `HS256 with the weak secret "${secret}"`,
    build: (kit) => hs(kit, naming(kit, 'HS256'), kit.claims, secret),
  })),

  // Other HMAC algorithms with the real secret.
  {
    name: 'HS384 with the real secret',
    build: (kit) => hs(kit, naming(kit, 'HS384'), kit.claims, kit.secret, 'sha384'),
  },
  {
    name: 'HS512 with the real secret',
    build: (kit) => hs(kit, naming(kit, 'HS512'), kit.claims, kit.secret, 'sha512'),
  },
  {
    name: 'alg in lower case, the real key',
    build: (kit) => real(kit, naming(kit, String(kit.header.alg).toLowerCase()), kit.claims),
  },
  {
    name: 'alg as an array, the real key',
    build: (kit) => real(kit, naming(kit, [kit.header.alg]), kit.claims),
  },
  {
    name: 'no alg, the real key',
    build: (kit) => real(kit, { typ: 'JWT', kid: kit.header.kid }, kit.claims),
  },
  {
    name: 'an unknown kid, the real key',
    build: (kit) => real(kit, { ...kit.header, kid: 'x'.repeat(43) }, kit.claims),
  },

  // Algorithm confusion: the public key (as the JWKS or a PEM file gives it) used as an HMAC secret.
  ...(['PEM', 'PEM without its last newline', 'JWK text', 'DER'] as const).map((form): Forgery => ({
    name: `HS256 naming the real kid, HMAC-keyed with the public key as ${form}`,
    build: (kit) => {
      const pem = kit.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      const key =
        form === 'PEM'
          ? pem
          : form === 'PEM without its last newline'
            ? pem.trimEnd()
            : form === 'JWK text'
              ? JSON.stringify({
                  ...kit.publicKey.export({ format: 'jwk' }),
                  kid: kit.header.kid,
                  use: 'sig',
                })
              : kit.publicKey.export({ format: 'der', type: 'spki' });
      return hs(kit, naming(kit, 'HS256'), kit.claims, key);
    },
  })),
  {
    name: 'ES256 naming the real kid, signed with the attacker’s own P-256 key',
    build: (kit) => {
      const input = `${encode(naming(kit, 'ES256'))}.${encode(kit.claims)}`;
      const signature = sign('sha256', Buffer.from(input), {
        key: kit.attackerEcKey,
        dsaEncoding: 'ieee-p1363',
      });
      return `${input}.${signature.toString('base64url')}`;
    },
  },
  {
    name: 'RS256 naming the real kid, signed with the attacker’s RSA key',
    build: (kit) => rs256(kit, naming(kit, 'RS256'), kit.claims),
  },
  {
    name: 'the real signature under another algorithm’s name',
    build: (kit) =>
      `${encode(naming(kit, kit.header.alg === 'RS256' ? 'ES256' : 'RS256'))}.${kit.p}.${kit.s}`,
  },

  // Key confusion: an asymmetric alg over an HMAC-SHA256 made from the secret.
  ...ASYMMETRIC_ALGS.map((alg): Forgery => ({
    name: `${alg} header over an HMAC-SHA256 with the real secret`,
    build: (kit) => hs(kit, naming(kit, alg), kit.claims),
  })),

  // Keys named or carried by the token.
  {
    name: 'inline RSA jwk, RS256-signed with its private key (CVE-2018-0114)',
    build: (kit) => rs256(kit, { alg: 'RS256', typ: 'JWT', jwk: kit.attackerJwk }, kit.claims),
  },
  {
    name: 'inline oct jwk, HS256-signed with that key',
    build: (kit) => {
      const key = randomBytes(32);
      return hs(kit, naming(kit, 'HS256', { jwk: { kty: 'oct', k: b64url(key) } }), kit.claims, key);
    },
  },
  {
    name: 'inline jwk, signed with the real key',
    build: (kit) => real(kit, { ...kit.header, jwk: kit.attackerJwk }, kit.claims),
  },
  {
    name: 'jku to the key server, RS256-signed with the key it would serve',
    build: (kit) =>
      rs256(
        kit,
        { alg: 'RS256', typ: 'JWT', jku: `${kit.keyServerUrl}/.well-known/jwks.json`, kid: 'attacker' },
        kit.claims,
      ),
  },
  {
    name: 'jku to the key server, signed with the real key',
    build: (kit) => real(kit, { ...kit.header, jku: `${kit.keyServerUrl}/jwks.json` }, kit.claims),
  },
  {
    name: 'x5u to the key server, RS256-signed with the key it would serve',
    build: (kit) => rs256(kit, { alg: 'RS256', typ: 'JWT', x5u: `${kit.keyServerUrl}/cert.pem` }, kit.claims),
  },
  {
    name: 'x5u to the key server, signed with the real key',
    build: (kit) => real(kit, { ...kit.header, x5u: `${kit.keyServerUrl}/cert.pem` }, kit.claims),
  },
  {
    name: 'x5c with a made-up chain, RS256-signed',
    build: (kit) => rs256(kit, { alg: 'RS256', typ: 'JWT', x5c: [b64url(randomBytes(64))] }, kit.claims),
  },
  {
    name: 'kid path traversal to /dev/null, signed with an empty key',
    build: (kit) => hs(kit, { ...HS256, kid: '../../../../../../dev/null' }, kit.claims, ''),
  },
  {
    name: 'kid path traversal to /dev/null, signed with the real secret',
    build: (kit) => hs(kit, { ...HS256, kid: '../../../../../../dev/null' }, kit.claims),
  },
  {
    name: 'kid naming a file of known content, signed with that content',
    build: (kit) => hs(kit, { ...HS256, kid: '/proc/sys/kernel/randomize_va_space' }, kit.claims, '2\n'),
  },
  {
    name: "kid SQL injection (' UNION SELECT 'key' --), signed with \"key\"",
    build: (kit) => hs(kit, { ...HS256, kid: "x' UNION SELECT 'key' -- " }, kit.claims, 'key'),
  },
  {
    name: 'kid shell injection (|sleep 5), signed with the real secret',
    build: (kit) => hs(kit, { ...HS256, kid: 'key|sleep 5' }, kit.claims),
  },
  {
    name: 'kid shell injection ($(sleep 5)), signed with an empty key',
    build: (kit) => hs(kit, { ...HS256, kid: '$(sleep 5)' }, kit.claims, ''),
  },

  // Header parameters this service never writes.
  {
    name: 'crit naming an unknown extension',
    build: (kit) =>
      real(kit, { ...kit.header, crit: ['urn:example:unknown'], 'urn:example:unknown': true }, kit.claims),
  },
  { name: 'crit naming exp', build: (kit) => real(kit, { ...kit.header, crit: ['exp'] }, kit.claims) },
  {
    name: 'crit b64 false (unencoded payload)',
    build: (kit) => real(kit, { ...kit.header, b64: false, crit: ['b64'] }, kit.claims),
  },
  { name: 'cty JWT (a nested token)', build: (kit) => real(kit, { ...kit.header, cty: 'JWT' }, kit.claims) },
  {
    name: 'a __proto__ header parameter',
    build: (kit) =>
      realRaw(kit, b64url(withRaw(kit.header, '__proto__', '{"alg":"none"}')), encode(kit.claims)),
  },
  ...['at+jwt', 'JWS', 'none', 'JOSE', 'application/jwt'].map((typ): Forgery => ({
    name: `typ "${typ}"`,
    build: (kit) => real(kit, { ...kit.header, typ }, kit.claims),
  })),
  { name: 'typ null', build: (kit) => real(kit, { ...kit.header, typ: null }, kit.claims) },
  { name: 'no typ', build: (kit) => real(kit, { ...kit.header, typ: undefined }, kit.claims) },

  // Time claims of the wrong type, size or time.
  ...timestampCases('exp'),
  ...timestampCases('nbf'),
  ...timestampCases('iat'),

  // Payloads that are not the claim profile.
  ...(
    [
      ['[]', []],
      ['"x"', 'x'],
      ['{}', {}],
      ['null', null],
      ['123', 123],
      ['true', true],
    ] as [string, unknown][]
  ).map(([what, payload]): Forgery => ({
    name: `payload ${what}`,
    build: (kit) => real(kit, kit.header, payload),
  })),
  { name: 'payload null, signed with a random key', build: (kit) => hs(kit, HS256, null, randomBytes(32)) },
  { name: 'header null', build: (kit) => realRaw(kit, encode(null), kit.p) },
  { name: 'payload: the genuine claims in an array', build: (kit) => real(kit, kit.header, [kit.claims]) },
  { name: 'payload that is not JSON', build: (kit) => realRaw(kit, kit.h, b64url('{"id":1,')) },
  {
    name: 'a __proto__ claim',
    build: (kit) => realRaw(kit, kit.h, b64url(withRaw(kit.claims, '__proto__', '{"id":2}'))),
  },
  { name: 'a 12 KiB token (a long name claim)', build: (kit) => padded(kit, 'name', 12 * 1024) },
  { name: 'a 12 KiB token (a long extra claim)', build: (kit) => padded(kit, 'pad', 12 * 1024) },
  {
    name: 'a payload nested 5000 deep',
    build: (kit) =>
      realRaw(kit, kit.h, b64url(withRaw(claims(kit, { name: undefined }), 'name', nested(5000)))),
  },
  {
    name: 'a header nested 5000 deep',
    build: (kit) => realRaw(kit, b64url(withRaw(kit.header, 'x', nested(5000))), kit.p),
  },

  // Encodings and shapes that are not a compact JWS.
  {
    name: 'standard base64 with padding',
    build: (kit) => {
      const std = (segment: string) => Buffer.from(segment, 'base64url').toString('base64');
      return realRaw(kit, std(kit.h), std(kit.p), 'base64');
    },
  },
  { name: 'a "~" in the payload', build: (kit) => realRaw(kit, kit.h, `${kit.p}~`) },
  { name: 'a "+" in the header', build: (kit) => realRaw(kit, `${kit.h}+`, kit.p) },
  { name: 'a "/" in the payload', build: (kit) => realRaw(kit, kit.h, `/${kit.p}`) },
  { name: 'a "*" in the signature', build: (kit) => `${kit.h}.${kit.p}.${kit.s.slice(0, -1)}*` },
  { name: 'a percent-encoded dot', build: (kit) => `${kit.h}%2E${kit.p}.${kit.s}` },
  { name: 'a non-ASCII letter in the signature', build: (kit) => `${kit.h}.${kit.p}.${kit.s}\u00e9` },
  { name: 'four segments', build: (kit) => `${kit.h}.${kit.p}.${kit.s}.${kit.s}` },
  { name: 'four segments, the last empty', build: (kit) => `${kit.h}.${kit.p}.${kit.s}.` },
  { name: 'five segments', build: (kit) => `${kit.h}.${kit.p}.${kit.s}.${kit.p}.${kit.s}` },
  { name: 'a leading dot', build: (kit) => `.${kit.h}.${kit.p}.${kit.s}` },
  { name: 'two dots in a row', build: (kit) => `${kit.h}..${kit.p}.${kit.s}` },
  {
    name: 'a JWE (dir, A256GCM)',
    build: () =>
      [encode({ alg: 'dir', enc: 'A256GCM' }), '', randomBytes(12), randomBytes(64), randomBytes(16)]
        .map((part) => (typeof part === 'string' ? part : b64url(part)))
        .join('.'),
  },
  {
    name: 'a JWE (RSA-OAEP, A128CBC-HS256, typ JWT)',
    build: () =>
      [
        encode({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', typ: 'JWT' }),
        b64url(randomBytes(256)),
        b64url(randomBytes(16)),
        b64url(randomBytes(64)),
        b64url(randomBytes(16)),
      ].join('.'),
  },
  { name: 'a space after the first dot', build: (kit) => `${kit.h}. ${kit.p}.${kit.s}` },
  {
    name: 'a space inside the signature',
    build: (kit) => `${kit.h}.${kit.p}.${kit.s.slice(0, 10)} ${kit.s.slice(10)}`,
  },
  {
    name: 'a tab inside the payload',
    build: (kit) => `${kit.h}.${kit.p.slice(0, 10)}\t${kit.p.slice(10)}.${kit.s}`,
  },
  { name: 'a no-break space before the signature', build: (kit) => `${kit.h}.${kit.p}.\u00a0${kit.s}` },
];

/** Takes the genuine token apart and makes the attacker's RSA key (once per call). */
export function forgeryKit(context: ForgeryContext): Kit {
  const [h, p, s] = context.genuine.split('.');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    header: decode(h),
    claims: decode(p),
    h,
    p,
    s,
    secret: context.secret,
    key: context.key,
    publicKey: context.key.algorithm === 'HS256' ? publicKey : createPublicKey(context.key.key),
    attackerEcKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    keyServerUrl: context.keyServerUrl,
    attackerKey: privateKey,
    attackerJwk: { ...publicKey.export({ format: 'jwk' }), kid: 'attacker', use: 'sig', alg: 'RS256' },
    now: Math.floor(Date.now() / 1000),
  };
}

/** Every forgery, built: `forgeTokens(forgeryKit({ genuine, secret, keyServerUrl }))`. */
export const forgeTokens = (kit: Kit): ForgedToken[] =>
  FORGERIES.map(({ name, build }) => ({ name, token: build(kit) }));

/** The genuine header and claims re-signed by this generator: must be accepted (checks the generator). */
export const resignGenuine = (kit: Kit) => real(kit, kit.header, kit.claims);
