import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Actor } from '../common/request-context/actor.js';
import type { Env } from '../config/env.schema.js';
import type { SignUpDto } from './dto/sign-up.dto.js';
import { UserEmailService } from './user-email.service.js';
import type { UserProfile } from './user-profile.js';
import { UsersService } from './users.service.js';
import { EmailRequiredError } from './users.errors.js';

/**
 * POST /users: the account and, when given, its address in one transaction, with the address's
 * verification link queued in it too (docs/email.md#sign-up): both or neither.
 */
@Injectable()
export class SignUpService {
  private readonly emailRequired: boolean;

  constructor(
    private readonly users: UsersService,
    private readonly emails: UserEmailService,
    config: ConfigService<Env, true>,
  ) {
    this.emailRequired = config.get('SIGNUP_REQUIRE_EMAIL', { infer: true });
  }

  /** Throws NameTakenError (409), or EmailRequiredError (400) when SIGNUP_REQUIRE_EMAIL=true and no address is given. */
  async signUp({ name, password, email }: SignUpDto, actor: Actor): Promise<UserProfile> {
    if (email === undefined && this.emailRequired) {
      throw new EmailRequiredError();
    }
    const profile = await this.users.create(
      name,
      password,
      ['user'],
      actor,
      undefined,
      async (transaction, id) => {
        if (email !== undefined) {
          await this.emails.setIn(transaction, id, email);
        }
      },
    );
    this.emails.committed();
    return profile;
  }
}
