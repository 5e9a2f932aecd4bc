import type { ConfigService } from '@nestjs/config';
import type { Env } from '../../src/config/env.schema.js';
import { PagesConfigController } from '../../src/pages/pages-config.controller.js';

const controllerWith = (env: Pick<Env, 'SIGNUP_ENABLED' | 'SIGNUP_REQUIRE_EMAIL' | 'MAIL_MODE'>) =>
  new PagesConfigController({
    get: (key: keyof typeof env) => env[key],
  } as unknown as ConfigService<Env, true>);

describe(PagesConfigController.name, () => {
  it.each([
    ['smtp', true],
    ['files', true],
    ['off', false],
  ] as const)('should say mail is %s -> %p (the mail pages work only when it is on)', (mode, mail) => {
    expect(
      controllerWith({ SIGNUP_ENABLED: false, SIGNUP_REQUIRE_EMAIL: false, MAIL_MODE: mode }).config(),
    ).toEqual({ signUp: false, signUpRequiresEmail: false, mail });
  });

  it('should say sign-up is on and whether it asks for an address', () => {
    expect(
      controllerWith({ SIGNUP_ENABLED: true, SIGNUP_REQUIRE_EMAIL: true, MAIL_MODE: 'smtp' }).config(),
    ).toEqual({ signUp: true, signUpRequiresEmail: true, mail: true });
  });
});
