import { z } from 'zod';
import { publishedSecretSource } from './jwt-secret.js';
import { type EnvIssues, seconds } from './env-rules.js';
import { estimateEntropyBits, MIN_SECRET_BITS, WEAK_SECRET } from './secret-strength.js';

/** How access tokens are signed, by which keys, and for how long they are good. */
export const signingVariables = {
  JWT_SECRET: z
    .string()
    .refine((value) => Buffer.byteLength(value) >= 32, 'must be at least 32 bytes')
    .optional(),
  // How access tokens are signed (docs/tokens.md#signing-keys): ES256 or RS256 with keys kept in
  // the database, or HS256 with JWT_SECRET itself (the tutorial's way).
  JWT_ALGORITHM: z
    .enum(['ES256', 'RS256', 'HS256'], { error: 'must be ES256, RS256 or HS256' })
    .default('ES256'),
  // Unset: the private signing keys are encrypted with a key derived from JWT_SECRET.
  KEY_ENCRYPTION_SECRET: z
    .string()
    .refine((value) => Buffer.byteLength(value) >= 32, 'must be at least 32 bytes')
    .optional(),
  KEY_ROTATION_INTERVAL: seconds(30 * 86_400, 2),
  JWKS_MAX_AGE: seconds(300, 0, 86_400),
  JWT_ISSUER: z.string().trim().min(1, 'must not be empty').default('nest-jwt-auth'),
  JWT_AUDIENCE: z.string().trim().min(1, 'must not be empty').default('nest-jwt-auth'),
  ACCESS_TOKEN_TTL: seconds(900),
};

/** How far apart the clocks of issuer and verifier may be. */
export const clockVariables = {
  JWT_CLOCK_TOLERANCE: seconds(30, 0, 300),
};

/** The rules between the secrets, the database and the key schedule. */
export function checkSecrets(
  env: {
    NODE_ENV: string;
    JWT_SECRET?: string;
    DATABASE_URL?: string;
    KEY_ENCRYPTION_SECRET?: string;
    KEY_ROTATION_INTERVAL: number;
    JWKS_MAX_AGE: number;
  },
  ctx: EnvIssues,
): void {
  if (env.NODE_ENV === 'production') {
    const source = env.JWT_SECRET === undefined ? undefined : publishedSecretSource(env.JWT_SECRET);
    if (env.JWT_SECRET === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'is required in production (at least 32 random bytes, e.g. `openssl rand -base64 48`)',
      });
    } else if (source !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: `must not be a published secret in production (this one is from ${source})`,
      });
    } else if (estimateEntropyBits(env.JWT_SECRET) < MIN_SECRET_BITS) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: WEAK_SECRET,
      });
    }
  }
  if (env.DATABASE_URL !== undefined && env.JWT_SECRET === undefined) {
    // Each instance would generate a secret of its own into its data directory: tokens from
    // one would be refused by the others.
    ctx.addIssue({
      code: 'custom',
      path: ['JWT_SECRET'],
      message:
        'is required with DATABASE_URL: every instance on a shared database must sign with the same secret (e.g. `openssl rand -base64 48`)',
    });
  }
  if (
    env.NODE_ENV === 'production' &&
    env.KEY_ENCRYPTION_SECRET !== undefined &&
    (publishedSecretSource(env.KEY_ENCRYPTION_SECRET) !== undefined ||
      estimateEntropyBits(env.KEY_ENCRYPTION_SECRET) < MIN_SECRET_BITS)
  ) {
    ctx.addIssue({ code: 'custom', path: ['KEY_ENCRYPTION_SECRET'], message: WEAK_SECRET });
  }
  if (env.KEY_ROTATION_INTERVAL <= env.JWKS_MAX_AGE) {
    // A new key is published JWKS_MAX_AGE before it signs: it must not be due again by then.
    ctx.addIssue({
      code: 'custom',
      path: ['KEY_ROTATION_INTERVAL'],
      message: 'must be longer than JWKS_MAX_AGE',
    });
  }
}
