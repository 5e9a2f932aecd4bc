import { describe, expect, it } from '@jest/globals';
import type { ConfigService } from '@nestjs/config';
import type { Env } from '../../src/config/env.schema.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { Invites } from '../../src/users/invites.js';
import type { LinkTokens } from '../../src/users/link-tokens.js';
import type { UsersRepository } from '../../src/users/users.repository.js';
import { InviteNeedsMailError } from '../../src/users/users.errors.js';

const invitesWith = (mailer: Partial<Mailer>) =>
  new Invites(
    {} as UsersRepository,
    {} as LinkTokens,
    mailer as Mailer,
    { get: () => 604_800 } as unknown as ConfigService<Env, true>,
  );

describe(Invites.name, () => {
  it('should refuse an invite while mail is off, with a 400 that asks for a password', () => {
    const invites = invitesWith({ enabled: false });
    expect(() => invites.unusablePassword()).toThrow(InviteNeedsMailError);
    expect(() => invites.unusablePassword()).toThrow(
      'password is required: mail is off, so no invite can be sent to email',
    );
    expect(new InviteNeedsMailError().status).toBe(400);
  });

  it('should make each invited account a different random password of 256 bits', () => {
    const invites = invitesWith({ enabled: true });
    const first = invites.unusablePassword();
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
    expect(invites.unusablePassword()).not.toBe(first);
  });
});
