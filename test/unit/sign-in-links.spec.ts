import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { AfterResponse } from '../../src/common/after-response.js';
import { OPERATOR } from '../../src/common/request-context/actor.js';
import { Mailer } from '../../src/mail/mailer.js';
import { LoginAttemptLimiter } from '../../src/throttling/login-attempts.js';
import { MailTargetLimiter } from '../../src/throttling/mail-target-limiter.js';
import { LinkTokens } from '../../src/users/link-tokens.js';
import { SignInLinks } from '../../src/users/sign-in-links.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { userEntity } from '../support/entities.js';
import { auditLogStub, mockOf, type MockOf } from '../support/mocks.js';

describe(SignInLinks.name, () => {
  let after: AfterResponse;
  let mailer: MockOf<Mailer>;
  let audit: ReturnType<typeof auditLogStub>;
  let links: SignInLinks;

  beforeEach(() => {
    const users = mockOf(UsersRepository);
    users.findByVerifiedEmail.mockResolvedValue(userEntity({ email: 'alice@example.com' }));
    const tokens = mockOf(LinkTokens);
    tokens.issue.mockResolvedValue('token');
    mailer = mockOf(Mailer);
    mailer.link.mockReturnValue('https://auth.example.test/login-link#token=token');
    mailer.enqueue.mockResolvedValue();
    audit = auditLogStub();
    after = new AfterResponse();
    links = new SignInLinks(
      users as unknown as UsersRepository,
      tokens,
      mailer as unknown as Mailer,
      mockOf(LoginAttemptLimiter) as unknown as LoginAttemptLimiter,
      audit.log as never,
      { allow: () => Promise.resolve(true) } as unknown as MailTargetLimiter,
      after,
    );
  });

  it('should queue the link after the answer, as work AfterResponse waits for at shutdown', async () => {
    await links.request('alice@example.com', OPERATOR);
    expect(mailer.enqueue).not.toHaveBeenCalled();
    await after.settled();
    expect(mailer.enqueue).toHaveBeenCalledTimes(1);
    expect(audit.recorded).toEqual([
      { event: 'login.link_requested', fields: { userId: 7, known: true, throttled: undefined } },
    ]);
    expect(mailer.committed).toHaveBeenCalled();
  });

  it('should log a failure of that work rather than reject', async () => {
    mailer.enqueue.mockRejectedValue(new Error('database down'));
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await expect(links.request('alice@example.com', OPERATOR)).resolves.toBeUndefined();
      await after.settled();
      expect(error).toHaveBeenCalledWith(
        expect.objectContaining({ msg: 'sign-in link request failed after the answer' }),
      );
    } finally {
      error.mockRestore();
    }
  });
});
