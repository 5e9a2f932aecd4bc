import { z } from 'zod';
import { accountNameProblem } from '../common/validation/account-name.js';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../common/validation/limits.js';
import { charLength } from '../common/validation/text.js';
import type { EnvIssues } from './env-rules.js';
import { parseOrigin, rpIdProblem } from './webauthn.js';

/** The passkeys' relying party (docs/passkeys.md). */
export const webauthnVariables = {
  // Unset: localhost and http://localhost:PORT.
  WEBAUTHN_RP_ID: z
    .string()
    .trim()
    .superRefine((rpId, ctx) => {
      const problem = rpIdProblem(rpId);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: problem });
      }
    })
    .optional(),
  WEBAUTHN_ORIGIN: z.string().trim().optional(),
  WEBAUTHN_RP_NAME: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters')
    .default('nest-jwt-auth'),
};

/** The first account, created at start when both are set. */
export const firstAdminVariables = {
  // The first account's name follows the name policy of every name an account is given.
  ADMIN_NAME: z
    .string()
    .trim()
    .superRefine((name, ctx) => {
      const problem = accountNameProblem(name, 'ADMIN_NAME');
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: problem.slice('ADMIN_NAME '.length) });
      }
    })
    .optional(),
  ADMIN_PASSWORD: z
    .string()
    .refine(
      (value) => charLength(value) >= PASSWORD_MIN_LENGTH,
      `must be at least ${PASSWORD_MIN_LENGTH} characters`,
    )
    .refine(
      (value) => Buffer.byteLength(value) <= PASSWORD_MAX_BYTES,
      `must be at most ${PASSWORD_MAX_BYTES} bytes`,
    )
    .optional(),
};

/** Every origin passkeys are used from belongs to the relying party; the first bad one is named. */
export function checkWebauthnOrigins(
  env: { WEBAUTHN_ORIGIN: string; WEBAUTHN_RP_ID: string },
  ctx: EnvIssues,
): void {
  for (const origin of env.WEBAUTHN_ORIGIN.split(',')) {
    const parsed = parseOrigin(origin.trim(), env.WEBAUTHN_RP_ID);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', path: ['WEBAUTHN_ORIGIN'], message: parsed.problem });
      break;
    }
  }
}

/** ADMIN_NAME and ADMIN_PASSWORD come together or not at all. */
export function checkFirstAdmin(env: { ADMIN_NAME?: string; ADMIN_PASSWORD?: string }, ctx: EnvIssues): void {
  if ((env.ADMIN_NAME === undefined) !== (env.ADMIN_PASSWORD === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [env.ADMIN_NAME === undefined ? 'ADMIN_NAME' : 'ADMIN_PASSWORD'],
      message: 'must be set together with ADMIN_NAME and ADMIN_PASSWORD',
    });
  }
}
