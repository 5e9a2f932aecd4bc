import { composeMail, type OutgoingMail } from '../mail/mail-content.js';

/** "30 minutes", "24 hours", "7 days": how long a link works, in the mail. */
function lifetime(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes % 1440 === 0 && minutes > 1440) {
    return `${minutes / 1440} days`;
  }
  return minutes % 60 === 0 ? `${minutes / 60} hour${minutes === 60 ? '' : 's'}` : `${minutes} minutes`;
}

/** The mails accounts receive (docs/email.md): fixed subjects, no user text in any header. */
export const accountMails = {
  verification: (to: string, link: string, ttlMs: number): OutgoingMail =>
    composeMail(
      to,
      'Confirm your email address',
      [
        'This address was given to an account. To confirm that it is yours, open the link below.',
        `The link works once, for ${lifetime(ttlMs)}. If you did not ask for this, ignore this mail.`,
      ],
      { label: 'Confirm this address', url: link },
    ),
  passwordReset: (to: string, link: string, ttlMs: number): OutgoingMail =>
    composeMail(
      to,
      'Reset your password',
      [
        'Someone asked to reset the password of the account with this address. To choose a new password, open the link below.',
        `The link works once, for ${lifetime(ttlMs)}. If you did not ask for this, ignore this mail: your password stays as it is.`,
      ],
      { label: 'Choose a new password', url: link },
    ),
  invite: (to: string, link: string, ttlMs: number): OutgoingMail =>
    composeMail(
      to,
      'You are invited: choose your password',
      [
        'An administrator made an account for you with this address. To choose its password, open the link below.',
        `The link works once, for ${lifetime(ttlMs)}. If you did not expect this, ignore this mail.`,
      ],
      { label: 'Choose your password', url: link },
    ),
  signIn: (to: string, link: string, ttlMs: number): OutgoingMail =>
    composeMail(
      to,
      'Your sign-in link',
      [
        'Someone asked to sign in to the account with this address. To sign in, open the link below.',
        `The link works once, for ${lifetime(ttlMs)}. If you did not ask for this, ignore this mail: nobody can sign in without it.`,
      ],
      { label: 'Sign in', url: link },
    ),
  passwordChanged: (to: string): OutgoingMail =>
    composeMail(to, 'Your password was changed', [
      'The password of your account was just changed, and its sessions were ended.',
      'If this was not you, reset your password at once and tell your administrator.',
    ]),
  emailChanged: (to: string): OutgoingMail =>
    composeMail(to, 'Your email address was changed', [
      'The email address of your account was just changed: its mail, password reset links included, now goes to the new address, not to this one.',
      'If this was not you, tell your administrator at once.',
    ]),
  twoFactorEnabled: (to: string): OutgoingMail =>
    composeMail(to, 'Two-factor sign-in was turned on', [
      'Two-factor sign-in (a code from an authenticator app) was just turned on for your account, and its other sessions were ended.',
      'If this was not you, change your password at once and tell your administrator.',
    ]),
  twoFactorDisabled: (to: string): OutgoingMail =>
    composeMail(to, 'Two-factor sign-in was turned off', [
      'Two-factor sign-in was just turned off for your account, by you or by an administrator: signing in now asks for the password only.',
      'If this was not you, change your password at once and tell your administrator.',
    ]),
  passkeyAdded: (to: string): OutgoingMail =>
    composeMail(to, 'A passkey was added to your account', [
      'A passkey was just added to your account: it signs in without the password.',
      'If this was not you, remove it from your account, change your password at once and tell your administrator.',
    ]),
};

/** The notices: mails to an account's verified address that announce a change, with no link in them. */
export type Notice =
  'passwordChanged' | 'emailChanged' | 'twoFactorEnabled' | 'twoFactorDisabled' | 'passkeyAdded';
