import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { AfterResponse } from '../../src/common/after-response.js';
import { AuditLog } from '../../src/logging/audit.js';
import { Mailer } from '../../src/mail/mailer.js';
import { MailTargetLimiter } from '../../src/throttling/mail-target-limiter.js';
import { AccountNotices } from '../../src/users/account-notices.js';
import { EmailChangeService } from '../../src/users/email-change.service.js';
import { LinkTokens } from '../../src/users/link-tokens.js';
import { UserCache } from '../../src/users/user-cache.js';
import { UserEmailService } from '../../src/users/user-email.service.js';
import { EmailTakenError, InvalidLinkTokenError, WrongPasswordError } from '../../src/users/users.errors.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { UsersService } from '../../src/users/users.service.js';
import { userEntity } from '../support/entities.js';
import { auditLogStub, mockOf, TRANSACTION, type MockOf } from '../support/mocks.js';

const ACTOR = { requestId: 'request-1' };
const VERIFIED = new Date('2026-01-01T00:00:00Z');
/** Alice with a verified address, as the users table holds her. */
const alice = (overrides = {}) =>
  userEntity({
    email: 'alice@example.com',
    emailKey: 'alice@example.com',
    emailVerifiedAt: VERIFIED,
    ...overrides,
  });

describe('Email change', () => {
  let emails: UserEmailService;
  let changes: EmailChangeService;
  let repository: MockOf<UsersRepository>;
  let tokens: MockOf<LinkTokens>;
  let notices: MockOf<AccountNotices>;
  let users: MockOf<UsersService>;
  let mailer: {
    enabled: boolean;
    link: jest.Mock<(page: string, token: string) => string>;
    enqueue: jest.Mock;
    committed: jest.Mock;
  };
  let audit: ReturnType<typeof auditLogStub>;

  beforeEach(async () => {
    repository = mockOf(UsersRepository);
    repository.findByIdIn.mockResolvedValue(alice());
    repository.markEmailVerified.mockResolvedValue(false);
    repository.confirmPendingEmail.mockResolvedValue(true);
    repository.setPendingEmail.mockResolvedValue(true);
    tokens = mockOf(LinkTokens);
    tokens.issue.mockResolvedValue('t'.repeat(43));
    notices = mockOf(AccountNotices);
    notices.sendToIn.mockResolvedValue();
    users = mockOf(UsersService);
    users.proveStepUp.mockResolvedValue();
    mailer = {
      enabled: true,
      link: jest.fn((page: string, token: string) => `https://auth.example.test/${page}#token=${token}`),
      enqueue: jest.fn(() => Promise.resolve()),
      committed: jest.fn(),
    };
    audit = auditLogStub();
    const moduleRef = await Test.createTestingModule({
      providers: [
        UserEmailService,
        EmailChangeService,
        { provide: UsersRepository, useValue: repository },
        { provide: LinkTokens, useValue: tokens },
        { provide: AccountNotices, useValue: notices },
        { provide: UsersService, useValue: users },
        { provide: Mailer, useValue: mailer },
        { provide: AuditLog, useValue: audit.log },
        { provide: UserCache, useValue: { changed: jest.fn() } },
        // UserEmailService's resend (not under test here) limits its target and runs after the answer.
        { provide: MailTargetLimiter, useValue: { allow: jest.fn() } },
        AfterResponse,
        {
          provide: ConfigService,
          useValue: { get: (key: string) => (key === 'EMAIL_VERIFICATION_TTL' ? 86_400 : false) },
        },
      ],
    }).compile();
    emails = moduleRef.get(UserEmailService);
    changes = moduleRef.get(EmailChangeService);
  });

  describe('EmailChangeService.request', () => {
    it('should prove the step-up first, then store the address as pending and mail it a verification link', async () => {
      await expect(changes.request(7, 'new@example.com', 'pw', ACTOR)).resolves.toEqual({
        email: 'alice@example.com',
        verified: true,
        pending: 'new@example.com',
      });
      expect(users.proveStepUp).toHaveBeenCalledWith(
        7,
        { password: 'pw', field: 'currentPassword' },
        ACTOR,
        'email_change',
      );
      expect(repository.setPendingEmail).toHaveBeenCalledWith(7, 'new@example.com', TRANSACTION);
      expect(tokens.issue).toHaveBeenCalledWith(
        TRANSACTION,
        expect.objectContaining({ userId: 7, purpose: 'verify_email', email: 'new@example.com' }),
      );
      expect(mailer.enqueue).toHaveBeenCalledWith(
        TRANSACTION,
        expect.objectContaining({ to: 'new@example.com', subject: 'Confirm your email address' }),
        expect.any(String),
      );
      expect(audit.recorded).toEqual([
        { event: 'email.change.requested', fields: { userId: 7, current: false } },
      ]);
      expect(mailer.committed).toHaveBeenCalled();
    });

    it('should change nothing when the password is wrong', async () => {
      users.proveStepUp.mockRejectedValue(new WrongPasswordError('currentPassword'));
      await expect(changes.request(7, 'new@example.com', 'wrong', ACTOR)).rejects.toThrow(
        'currentPassword is wrong',
      );
      expect(repository.setPendingEmail).not.toHaveBeenCalled();
      expect(mailer.enqueue).not.toHaveBeenCalled();
      expect(audit.recorded).toEqual([]);
    });

    it('should drop the pending address, mailing nothing, when asked for the verified address it has', async () => {
      await expect(changes.request(7, 'alice@example.com', 'pw', ACTOR)).resolves.toEqual({
        email: 'alice@example.com',
        verified: true,
        pending: null,
      });
      expect(repository.setPendingEmail).toHaveBeenCalledWith(7, null, TRANSACTION);
      expect(mailer.enqueue).not.toHaveBeenCalled();
    });

    it('should mail a new link to the unverified address it has, nothing pending', async () => {
      repository.findByIdIn.mockResolvedValue(alice({ emailKey: null, emailVerifiedAt: null }));
      await expect(changes.request(7, 'alice@example.com', 'pw', ACTOR)).resolves.toEqual({
        email: 'alice@example.com',
        verified: false,
        pending: null,
      });
      expect(mailer.enqueue).toHaveBeenCalledWith(
        TRANSACTION,
        expect.objectContaining({ to: 'alice@example.com' }),
        expect.any(String),
      );
    });
  });

  describe('UserEmailService.verify', () => {
    it("should verify the account's own address, touching no pending one and sending no notice", async () => {
      tokens.spend.mockResolvedValue({ userId: 7, email: 'alice@example.com', purpose: 'verify_email' });
      repository.markEmailVerified.mockResolvedValue(true);
      await emails.verify('token', ACTOR);
      expect(repository.confirmPendingEmail).not.toHaveBeenCalled();
      expect(notices.sendToIn).not.toHaveBeenCalled();
      expect(audit.recorded).toEqual([{ event: 'email.verified', fields: { userId: 7 } }]);
    });

    it('should make the pending address the account’s and tell the old verified one', async () => {
      tokens.spend.mockResolvedValue({ userId: 7, email: 'new@example.com', purpose: 'verify_email' });
      await emails.verify('token', ACTOR);
      expect(repository.confirmPendingEmail).toHaveBeenCalledWith(
        7,
        'new@example.com',
        expect.any(Date),
        TRANSACTION,
      );
      expect(notices.sendToIn).toHaveBeenCalledWith(TRANSACTION, 'alice@example.com', 'emailChanged');
      expect(audit.recorded).toEqual([
        { event: 'email.changed', fields: { userId: 7, previousVerified: true } },
      ]);
      expect(mailer.committed).toHaveBeenCalled();
    });

    it.each([
      ['no address before', { email: null, emailKey: null, emailVerifiedAt: null }, 'new@example.com'],
      ['an unverified one before', { emailKey: null, emailVerifiedAt: null }, 'new@example.com'],
      ['the same address spelt in another case', {}, 'Alice@Example.com'],
    ])('should send no notice with %s', async (_, before, confirmed) => {
      repository.findByIdIn.mockResolvedValue(alice(before));
      tokens.spend.mockResolvedValue({ userId: 7, email: confirmed, purpose: 'verify_email' });
      await emails.verify('token', ACTOR);
      expect(repository.confirmPendingEmail).toHaveBeenCalledWith(
        7,
        confirmed,
        expect.any(Date),
        TRANSACTION,
      );
      expect(notices.sendToIn).not.toHaveBeenCalled();
    });

    it('should answer the one invalid-token error for an address neither the account’s nor pending', async () => {
      tokens.spend.mockResolvedValue({ userId: 7, email: 'replaced@example.com', purpose: 'verify_email' });
      repository.confirmPendingEmail.mockResolvedValue(false);
      await expect(emails.verify('token', ACTOR)).rejects.toBeInstanceOf(InvalidLinkTokenError);
      expect(notices.sendToIn).not.toHaveBeenCalled();
      expect(audit.recorded).toEqual([]);
    });

    it('should let the 409 through when another account has verified the address', async () => {
      tokens.spend.mockResolvedValue({ userId: 7, email: 'taken@example.com', purpose: 'verify_email' });
      repository.confirmPendingEmail.mockRejectedValue(new EmailTakenError());
      await expect(emails.verify('token', ACTOR)).rejects.toBeInstanceOf(EmailTakenError);
      expect(notices.sendToIn).not.toHaveBeenCalled();
      expect(mailer.committed).not.toHaveBeenCalled();
    });
  });
});
