/** What this API needs to know about the service that issues its tokens, read once at start-up. */
export interface ResourceServerConfig {
  port: number;
  host: string;
  jwksUri: string;
  issuer: string;
  audience: string;
  /** How long a fetched key is trusted before it is fetched again (jwks-rsa counts milliseconds). */
  jwksCacheMaxAgeMs: number;
  jwksRequestsPerMinute: number;
}

/** The injection token of the ResourceServerConfig. */
export const CONFIG = Symbol('ResourceServerConfig');

/** An empty variable (`PORT=`) counts as unset, as in the issuing service. */
const read = (env: NodeJS.ProcessEnv, name: string): string | undefined => env[name]?.trim() || undefined;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = read(env, name);
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Validates the environment; throws one line naming the variable and the rule. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ResourceServerConfig {
  const issuerUrl = (read(env, 'ISSUER_URL') ?? 'http://localhost:3000').replace(/\/+$/, '');
  const jwksUri = read(env, 'JWKS_URI') ?? `${issuerUrl}/.well-known/jwks.json`;
  if (!URL.canParse(jwksUri)) {
    throw new Error('JWKS_URI (or ISSUER_URL) must be an absolute URL');
  }
  return {
    port: integer(env, 'PORT', 4000, 0, 65_535),
    host: read(env, 'HOST') ?? '127.0.0.1',
    jwksUri,
    // The values of the issuer's JWT_ISSUER and JWT_AUDIENCE: names, not its URL.
    issuer: read(env, 'JWT_ISSUER') ?? 'nest-jwt-auth',
    audience: read(env, 'JWT_AUDIENCE') ?? 'nest-jwt-auth',
    // Seconds: how long a revoked key is still accepted here. jwks-rsa ignores the JWKS's
    // Cache-Control, so this follows the issuer's JWKS_MAX_AGE (300 by default) by hand.
    // Never 0: to lru-cache that means "forever".
    jwksCacheMaxAgeMs: integer(env, 'JWKS_CACHE_MAX_AGE', 300, 1, 86_400) * 1000,
    // Tokens with unknown kids each cost a JWKS request: this caps what a forger can make us fetch.
    jwksRequestsPerMinute: integer(env, 'JWKS_REQUESTS_PER_MINUTE', 10, 1, 600),
  };
}
