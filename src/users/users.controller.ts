import { Controller, Get, Header } from '@nestjs/common';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import type { AuthUser } from '../auth/auth-user.js';
import type { UserProfile } from './user-profile.js';

@Controller('user')
export class UsersController {
  /** The caller, as the token and the user store agree on them. Guarded by the global JwtAuthGuard. */
  @Get()
  @Header('Cache-Control', 'no-store')
  me(@CurrentUser() user: AuthUser): UserProfile {
    return { id: user.id, name: user.name };
  }
}
