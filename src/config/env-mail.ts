import { z } from 'zod';
import { flag, integer, seconds, type EnvIssues } from './env-rules.js';

/**
 * An absolute http(s) URL with a host and no query, fragment or credentials: the base every
 * link in a mail is built from (never the request's Host header).
 */
function publicUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    return 'must not have a query or a fragment';
  }
  if (url.username !== '' || url.password !== '') {
    return 'must not hold credentials';
  }
  return undefined;
}

/** smtp:// or smtps:// with a host: the connection URL nodemailer takes (options as query). */
function isSmtpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** One bare address (local@domain), no display name, no spaces, no line breaks. */
const BARE_ADDRESS = /^[^\s@<>(),;:"\\[\]]+@[^\s@<>(),;:"\\[\]]+$/;

/** Mail (docs/email.md): where it goes out, whom it is from, the links' base and lifetimes. */
export const mailVariables = {
  // Unset: http://localhost:PORT outside production; required in production when mail is on.
  PUBLIC_URL: z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      const problem = publicUrlProblem(value);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: problem });
      }
    })
    // One form for building links: no trailing slash.
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  // Never echoed: it may hold the SMTP password.
  SMTP_URL: z.string().trim().refine(isSmtpUrl, 'must be an smtp:// or smtps:// URL with a host').optional(),
  MAIL_FROM: z
    .string()
    .trim()
    .refine((value) => BARE_ADDRESS.test(value), 'must be one address such as no-reply@example.com')
    .optional(),
  PASSWORD_RESET_TTL: seconds(1800, 60, 7 * 86_400),
  EMAIL_VERIFICATION_TTL: seconds(86_400, 60, 30 * 86_400),
  EMAIL_VERIFICATION_REQUIRED: flag(),
  // An invite's link (POST /admin/users with an email and no password) sets the first password.
  INVITE_TTL: seconds(7 * 86_400, 60, 30 * 86_400),
  // Sign-in links (POST /login/email): off unless true.
  EMAIL_LOGIN_ENABLED: flag(),
  // Mails an hour the public routes send to one address (/password/forgot) or one account
  // (/email/verify/resend), whoever asks; past it they still answer 202 and send nothing.
  MAIL_TARGET_LIMIT: integer(5, 1, 1_000_000, 'a whole number of mails'),
  // How often the outbox is looked at for mail this process did not queue (another instance's, the
  // CLI's) and for retries; mail queued here goes out once its change commits, without waiting.
  MAIL_POLL_INTERVAL: seconds(2, 1, 3600),
};

/**
 * How mail leaves: over SMTP when SMTP_URL is set; as .eml files under DATA_DIR/outbox outside
 * production without it; not at all in production without it (the mail routes answer 404).
 */
export type MailMode = 'smtp' | 'files' | 'off';

export function mailModeOf(env: { NODE_ENV: string; SMTP_URL?: string }): MailMode {
  if (env.SMTP_URL !== undefined) {
    return 'smtp';
  }
  return env.NODE_ENV === 'production' ? 'off' : 'files';
}

/** In production, mail that is on needs the base of its links and a sender. */
export function checkMail(
  env: { NODE_ENV: string; SMTP_URL?: string; PUBLIC_URL?: string; MAIL_FROM?: string },
  ctx: EnvIssues,
): void {
  if (env.NODE_ENV !== 'production' || env.SMTP_URL === undefined) {
    return;
  }
  for (const variable of ['PUBLIC_URL', 'MAIL_FROM'] as const) {
    if (env[variable] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [variable],
        message: 'is required in production when SMTP_URL is set',
      });
    }
  }
}

/**
 * Requiring an address at sign-up needs mail that can confirm it: in production without SMTP_URL
 * every sign-up would store an address no link could ever verify.
 */
export function checkSignUpMail(
  env: { SIGNUP_ENABLED: boolean; SIGNUP_REQUIRE_EMAIL: boolean; MAIL_MODE: MailMode },
  ctx: EnvIssues,
): void {
  if (env.SIGNUP_ENABLED && env.SIGNUP_REQUIRE_EMAIL && env.MAIL_MODE === 'off') {
    ctx.addIssue({
      code: 'custom',
      path: ['SIGNUP_REQUIRE_EMAIL'],
      message: 'needs mail: set SMTP_URL (in production mail is off without it)',
    });
  }
}
