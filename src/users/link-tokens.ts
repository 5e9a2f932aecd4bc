import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, IsNull, MoreThan, type EntityManager } from 'typeorm';
import { LinkTokenEntity, type LinkPurpose } from './link-token.entity.js';
import { InvalidLinkTokenError } from './users.errors.js';

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The tokens of mailed links: 256 random bits, stored only as their SHA-256, bound to one account
 * and one purpose, expiring, and spent by their first use (one conditional UPDATE, so two
 * concurrent uses cannot both succeed).
 */
@Injectable()
export class LinkTokens {
  /** A new token for `userId`, stored in the caller's transaction; the token itself goes in the link. */
  async issue(
    transaction: EntityManager,
    grant: { userId: number; purpose: LinkPurpose; ttlMs: number; email?: string },
    now = new Date(),
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await transaction.getRepository(LinkTokenEntity).insert({
      idHash: digest(token),
      userId: grant.userId,
      purpose: grant.purpose,
      email: grant.email ?? null,
      expiresAt: new Date(now.getTime() + grant.ttlMs),
      usedAt: null,
    });
    return token;
  }

  /**
   * Spends `token` for one of `purposes` in the caller's transaction: the account (and address)
   * it was issued for, and its purpose. Unknown, used, expired and wrong-purpose tokens are one
   * InvalidLinkTokenError.
   */
  async spend(
    transaction: EntityManager,
    token: string,
    purposes: LinkPurpose | readonly LinkPurpose[],
    now = new Date(),
  ): Promise<{ userId: number; email: string | null; purpose: LinkPurpose }> {
    const tokens = transaction.getRepository(LinkTokenEntity);
    const idHash = digest(token);
    const purpose = typeof purposes === 'string' ? purposes : In([...purposes]);
    const result = await tokens.update(
      { idHash, purpose, usedAt: IsNull(), expiresAt: MoreThan(now) },
      { usedAt: now },
    );
    const row = (result.affected ?? 0) === 1 ? await tokens.findOneBy({ idHash }) : null;
    if (row === null) {
      throw new InvalidLinkTokenError();
    }
    return { userId: row.userId, email: row.email, purpose: row.purpose };
  }
}
