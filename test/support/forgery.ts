// Forged access tokens, after the classes of attack that jwt_tool's playbook tries. Each is
// built from a genuine token and, where a signature means something, signed correctly (with the
// real secret unless the attack is the key), so that the one defect named is what gets refused.
import {
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { b64url, encode, HS256, signRaw } from './tokens.js';

// test/e2e/fuzz.e2e-spec.ts signs its tokens with these.
export { encode, signRaw };

export interface ForgedToken {
  name: string;
  token: string;
}

export interface ForgeryContext {
  /** An access token the service issued. */
  genuine: string;
  /** The service's real HS256 secret. */
  secret: string;
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
  keyServerUrl: string;
  attackerKey: KeyObject;
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

/** RS256 with the attacker's own private key. */
const rs256 = (kit: Kit, header: unknown, payload: unknown) => {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), kit.attackerKey).toString('base64url')}`;
};

/** The genuine claims with some replaced (`undefined` removes one). */
const claims = (kit: Kit, overrides: Json = {}) => ({ ...kit.claims, ...overrides });

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
  return hs(kit, HS256, claims(kit, { [claim]: pad }));
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
    build: (kit) => hs(kit, HS256, claims(kit, overrides(kit))),
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
  { name: 'an all-zero signature', build: (kit) => `${kit.h}.${kit.p}.${b64url(Buffer.alloc(32))}` },
  { name: 'signature truncated by one character', build: (kit) => `${kit.h}.${kit.p}.${kit.s.slice(0, -1)}` },
  {
    name: 'signature truncated by one byte',
    build: (kit) => `${kit.h}.${kit.p}.${b64url(Buffer.from(kit.s, 'base64url').subarray(0, 31))}`,
  },
  { name: 'signature truncated to half', build: (kit) => `${kit.h}.${kit.p}.${kit.s.slice(0, 21)}` },
  { name: 'signature truncated to one byte', build: (kit) => `${kit.h}.${kit.p}.${kit.s.slice(0, 2)}` },
  ...[0, 7, 100, 128, 200, 255].map((bit): Forgery => ({
    name: `signature with bit ${bit} flipped`,
    build: (kit) => `${kit.h}.${kit.p}.${flipBit(kit.s, bit)}`,
  })),
  {
    name: 'the signature of another token',
    build: (kit) => `${kit.h}.${kit.p}.${hs(kit, HS256, claims(kit, { jti: randomUUID() })).split('.')[2]}`,
  },
  { name: 'the signature twice', build: (kit) => `${kit.h}.${kit.p}.${kit.s}${kit.s}` },

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
  { name: 'HS256 with an empty key', build: (kit) => hs(kit, HS256, kit.claims, '') },
  { name: 'HS256 with a random key', build: (kit) => hs(kit, HS256, kit.claims, randomBytes(32)) },
  {
    name: 'HS256 with the real secret plus a newline',
    build: (kit) => hs(kit, HS256, kit.claims, `${kit.secret}\n`),
  },
  ...WEAK_SECRETS.map((secret): Forgery => ({
    name: `HS256 with the weak secret "${secret}"`,
    build: (kit) => hs(kit, HS256, kit.claims, secret),
  })),

  // Other HMAC algorithms with the real secret.
  {
    name: 'HS384 with the real secret',
    build: (kit) => hs(kit, { alg: 'HS384', typ: 'JWT' }, kit.claims, kit.secret, 'sha384'),
  },
  {
    name: 'HS512 with the real secret',
    build: (kit) => hs(kit, { alg: 'HS512', typ: 'JWT' }, kit.claims, kit.secret, 'sha512'),
  },
  { name: 'alg "hs256" in lower case', build: (kit) => hs(kit, { alg: 'hs256', typ: 'JWT' }, kit.claims) },
  { name: 'alg as an array', build: (kit) => hs(kit, { alg: ['HS256'], typ: 'JWT' }, kit.claims) },
  { name: 'no alg', build: (kit) => hs(kit, { typ: 'JWT' }, kit.claims) },

  // Key confusion: an asymmetric alg over an HMAC-SHA256 made from the secret.
  ...ASYMMETRIC_ALGS.map((alg): Forgery => ({
    name: `${alg} header over an HMAC-SHA256 with the real secret`,
    build: (kit) => hs(kit, { alg, typ: 'JWT' }, kit.claims),
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
      return hs(kit, { ...HS256, jwk: { kty: 'oct', k: b64url(key) } }, kit.claims, key);
    },
  },
  {
    name: 'inline jwk, HS256-signed with the real secret',
    build: (kit) => hs(kit, { ...HS256, jwk: kit.attackerJwk }, kit.claims),
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
    name: 'jku to the key server, HS256-signed with the real secret',
    build: (kit) => hs(kit, { ...HS256, jku: `${kit.keyServerUrl}/jwks.json` }, kit.claims),
  },
  {
    name: 'x5u to the key server, RS256-signed with the key it would serve',
    build: (kit) => rs256(kit, { alg: 'RS256', typ: 'JWT', x5u: `${kit.keyServerUrl}/cert.pem` }, kit.claims),
  },
  {
    name: 'x5u to the key server, HS256-signed with the real secret',
    build: (kit) => hs(kit, { ...HS256, x5u: `${kit.keyServerUrl}/cert.pem` }, kit.claims),
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
      hs(kit, { ...HS256, crit: ['urn:example:unknown'], 'urn:example:unknown': true }, kit.claims),
  },
  { name: 'crit naming exp', build: (kit) => hs(kit, { ...HS256, crit: ['exp'] }, kit.claims) },
  {
    name: 'crit b64 false (unencoded payload)',
    build: (kit) => hs(kit, { ...HS256, b64: false, crit: ['b64'] }, kit.claims),
  },
  { name: 'cty JWT (a nested token)', build: (kit) => hs(kit, { ...HS256, cty: 'JWT' }, kit.claims) },
  {
    name: 'a __proto__ header parameter',
    build: (kit) =>
      signRaw(
        b64url('{"alg":"HS256","typ":"JWT","__proto__":{"alg":"none"}}'),
        encode(kit.claims),
        kit.secret,
      ),
  },
  ...['at+jwt', 'JWS', 'none', 'JOSE', 'application/jwt'].map((typ): Forgery => ({
    name: `typ "${typ}"`,
    build: (kit) => hs(kit, { alg: 'HS256', typ }, kit.claims),
  })),
  { name: 'typ null', build: (kit) => hs(kit, { alg: 'HS256', typ: null }, kit.claims) },
  { name: 'no typ', build: (kit) => hs(kit, { alg: 'HS256' }, kit.claims) },

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
  ).map(([what, payload]): Forgery => ({ name: `payload ${what}`, build: (kit) => hs(kit, HS256, payload) })),
  { name: 'payload null, signed with a random key', build: (kit) => hs(kit, HS256, null, randomBytes(32)) },
  { name: 'header null', build: (kit) => signRaw(encode(null), kit.p, kit.secret) },
  { name: 'payload: the genuine claims in an array', build: (kit) => hs(kit, HS256, [kit.claims]) },
  { name: 'payload that is not JSON', build: (kit) => signRaw(kit.h, b64url('{"id":1,'), kit.secret) },
  {
    name: 'a __proto__ claim',
    build: (kit) => signRaw(kit.h, b64url(withRaw(kit.claims, '__proto__', '{"id":2}')), kit.secret),
  },
  { name: 'a 12 KiB token (a long name claim)', build: (kit) => padded(kit, 'name', 12 * 1024) },
  { name: 'a 12 KiB token (a long extra claim)', build: (kit) => padded(kit, 'pad', 12 * 1024) },
  {
    name: 'a payload nested 5000 deep',
    build: (kit) =>
      signRaw(kit.h, b64url(withRaw(claims(kit, { name: undefined }), 'name', nested(5000))), kit.secret),
  },
  {
    name: 'a header nested 5000 deep',
    build: (kit) => signRaw(b64url(withRaw(HS256, 'x', nested(5000))), kit.p, kit.secret),
  },

  // Encodings and shapes that are not a compact JWS.
  {
    name: 'standard base64 with padding',
    build: (kit) => {
      const std = (segment: string) => Buffer.from(segment, 'base64url').toString('base64');
      return signRaw(std(kit.h), std(kit.p), kit.secret, 'sha256', 'base64');
    },
  },
  { name: 'a "~" in the payload', build: (kit) => signRaw(kit.h, `${kit.p}~`, kit.secret) },
  { name: 'a "+" in the header', build: (kit) => signRaw(`${kit.h}+`, kit.p, kit.secret) },
  { name: 'a "/" in the payload', build: (kit) => signRaw(kit.h, `/${kit.p}`, kit.secret) },
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
export const resignGenuine = (kit: Kit) => hs(kit, kit.header, kit.claims);
