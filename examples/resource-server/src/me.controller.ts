import { Controller, Get } from '@nestjs/common';
import { CurrentUser, type AuthUser } from './current-user.decorator.js';
import { Public } from './jwt-auth.guard.js';

@Controller()
export class MeController {
  /** Guarded (the global JwtAuthGuard): who the token says the caller is. */
  @Get('me')
  me(@CurrentUser() user: AuthUser): AuthUser {
    return { sub: user.sub, name: user.name };
  }

  @Public()
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
