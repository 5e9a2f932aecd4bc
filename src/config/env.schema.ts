import { z } from 'zod';
import {
  checkFirstAdmin,
  checkWebauthnOrigins,
  firstAdminVariables,
  webauthnVariables,
} from './env-accounts.js';
import { lifecycleVariables, proxyVariables, routeVariables, serverVariables } from './env-http.js';
import { auditVariables, loggingVariables } from './env-observability.js';
import {
  checkSessionTimes,
  sessionVariables,
  throttlingVariables,
  userCacheVariables,
} from './env-sessions.js';
import { checkMail, checkSignUpMail, mailModeOf, mailVariables } from './env-mail.js';
import { databaseVariables, redisVariables } from './env-storage.js';
import { checkSecrets, clockVariables, signingVariables } from './env-tokens.js';
import { durationsOf, shutdownDelayOf } from './durations.js';
import { tracingConfigOf, tracingVariables } from './tracing-config.js';

export type { Durations } from './durations.js';

/**
 * Every environment variable the service reads, with its default and its rule; each area's
 * variables and cross-checks live in the env-*.ts file beside this one.
 * `.env.example` documents the same list; keep the two in step.
 */
export const envSchema = z.preprocess(
  // An empty variable (`PORT=` in .env, `${PORT}` of an unset shell variable) means "unset".
  (raw) =>
    Object.fromEntries(
      Object.entries(raw as Record<string, unknown>).filter(
        ([, value]) => value !== '' && value !== undefined,
      ),
    ),
  z
    // The variables are checked, and their problems listed, in this order: keep it.
    .object({
      ...serverVariables,
      ...databaseVariables,
      ...signingVariables,
      ...sessionVariables,
      ...routeVariables,
      ...throttlingVariables,
      ...lifecycleVariables,
      ...loggingVariables,
      ...proxyVariables,
      ...clockVariables,
      ...userCacheVariables,
      ...auditVariables,
      ...redisVariables,
      ...webauthnVariables,
      ...firstAdminVariables,
      ...mailVariables,
      // OpenTelemetry traces, off unless an OTLP endpoint is set (docs/tracing.md).
      ...tracingVariables,
    })
    .transform((env) => ({
      ...env,
      tracing: tracingConfigOf(env),
      durations: durationsOf({ ...env, SHUTDOWN_DELAY: shutdownDelayOf(env) }),
      SHUTDOWN_DELAY: shutdownDelayOf(env),
      HOST: env.HOST ?? (env.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
      DATABASE_PATH: env.DATABASE_PATH ?? `${env.DATA_DIR}/auth.sqlite`,
      REFRESH_COOKIE_SECURE: env.REFRESH_COOKIE_SECURE ?? env.NODE_ENV === 'production',
      SIGNUP_ENABLED: env.SIGNUP_ENABLED ?? false,
      SIGNUP_REQUIRE_EMAIL: env.SIGNUP_REQUIRE_EMAIL ?? false,
      DOCS_ENABLED: env.DOCS_ENABLED ?? env.NODE_ENV !== 'production',
      LOG_FORMAT: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
      WEBAUTHN_RP_ID: env.WEBAUTHN_RP_ID ?? 'localhost',
      WEBAUTHN_ORIGIN: env.WEBAUTHN_ORIGIN ?? `http://localhost:${env.PORT}`,
      // Production has no default: checkMail() requires it when mail is on.
      PUBLIC_URL:
        env.PUBLIC_URL ?? (env.NODE_ENV === 'production' ? undefined : `http://localhost:${env.PORT}`),
      MAIL_FROM: env.MAIL_FROM ?? (env.NODE_ENV === 'production' ? undefined : 'no-reply@localhost'),
      MAIL_MODE: mailModeOf(env),
      EMAIL_VERIFICATION_REQUIRED: env.EMAIL_VERIFICATION_REQUIRED ?? false,
      EMAIL_LOGIN_ENABLED: env.EMAIL_LOGIN_ENABLED ?? false,
    }))
    .superRefine((env, ctx) => {
      checkWebauthnOrigins(env, ctx);
      checkSecrets(env, ctx);
      checkSessionTimes(env, ctx);
      checkFirstAdmin(env, ctx);
      checkMail(env, ctx);
      checkSignUpMail(env, ctx);
    }),
);

export type Env = z.output<typeof envSchema>;

/** Thrown for an invalid environment; its message is one line naming the variable and the rule. */
export class InvalidEnvironmentError extends Error {
  override name = 'InvalidEnvironmentError';
}

/**
 * The `validate` hook of ConfigModule: parses the raw environment or throws one line per bad
 * variable ("PORT must be between 0 and 65535"), never echoing the value (it may be a secret).
 */
export function validateEnv(raw: Record<string, unknown>): Env {
  const result = envSchema.safeParse(raw);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new InvalidEnvironmentError(`Invalid environment: ${problems.join('; ')}`);
}
