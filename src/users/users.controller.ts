import { Body, Controller, Get, Header, HttpCode, HttpStatus, Put } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import type { UserProfile } from './user-profile.js';
import { UsersService } from './users.service.js';

@Controller('user')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** The caller, as the token and the user store agree on them. Guarded by the global JwtAuthGuard. */
  @Get()
  @Header('Cache-Control', 'no-store')
  me(@CurrentUser() user: AuthUser): UserProfile {
    return { id: user.id, name: user.name };
  }

  /** Changes the caller's password; every other session of theirs ends. */
  @Put('password')
  @HttpCode(HttpStatus.NO_CONTENT)
  async changePassword(@CurrentUser() user: AuthUser, @Body() body: ChangePasswordDto): Promise<void> {
    await this.users.changePassword(user.id, body.currentPassword, body.newPassword, user.sessionId);
  }
}
