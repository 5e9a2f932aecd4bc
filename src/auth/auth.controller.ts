import { Body, Controller, Header, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { AuthService, type LoginResult } from './auth.service.js';
import { Public } from './decorators/public.decorator.js';
import { LoginDto } from './dto/login.dto.js';

@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Exchanges a name and password for an access token. 200, not Nest's default 201: nothing is created. */
  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  login(@Body() credentials: LoginDto): Promise<LoginResult> {
    return this.auth.login(credentials);
  }
}
