import { Controller, Get, Header } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/request-context/public.decorator.js';
import type { Env } from '../config/env.schema.js';

/** GET /pages/config: what the static pages offer, which they cannot know from their files. */
export class PagesConfigView {
  @ApiProperty({ description: 'Sign-up is on (SIGNUP_ENABLED): the login page links to /signup.' })
  signUp!: boolean;

  @ApiProperty({ description: 'Sign-up asks for an address (SIGNUP_REQUIRE_EMAIL).' })
  signUpRequiresEmail!: boolean;

  @ApiProperty({
    description: 'Mail is on (the mail routes are served): the login page links to /forgot-password.',
  })
  mail!: boolean;
}

/** The few settings the pages need, public: nothing here is a secret or names an account. */
@ApiTags('pages')
@Public()
@Controller('pages')
export class PagesConfigController {
  private readonly view: PagesConfigView;

  constructor(config: ConfigService<Env, true>) {
    this.view = {
      signUp: config.get('SIGNUP_ENABLED', { infer: true }),
      signUpRequiresEmail: config.get('SIGNUP_REQUIRE_EMAIL', { infer: true }),
      mail: config.get('MAIL_MODE', { infer: true }) !== 'off',
    };
  }

  @Get('config')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'What the pages offer: sign-up, and the mail flows' })
  @ApiOkResponse({ type: PagesConfigView })
  config(): PagesConfigView {
    return this.view;
  }
}
