// The check the node:http ceiling (../shared/peers/raw-node-limit) makes, shared by the floors:
// an HS256 signature with a pre-built key, and exp. Nothing else: the floors measure what the
// HTTP stack costs, not what checking a token properly costs.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

const key = createSecretKey(
  Buffer.from(process.env.JWT_SECRET ?? 'floor-secret-0123456789-abcdefghijklmnop'),
);

/** The claims of a valid token, or null. */
export function verify(token) {
  const [header, payload, signature] = token.split('.');
  if (!signature) {
    return null;
  }
  const mac = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== mac.length || !timingSafeEqual(given, mac)) {
    return null;
  }
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  return typeof claims.exp === 'number' && claims.exp * 1000 > Date.now() ? claims : null;
}

/** A token `verify` accepts: `node hs256.mjs` prints one (JWT_SECRET from the environment). */
export function mint(claims = { id: 1, name: 'bench' }) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

if (process.argv[1] === import.meta.filename) {
  console.log(mint());
}
