import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export const LOGOUT_SCOPES = ['local', 'others', 'global'] as const;
export type LogoutScope = (typeof LOGOUT_SCOPES)[number];

/** `POST /logout?scope=`: this session (default), all but this one, or all of the user's. */
export class LogoutQueryDto {
  @ApiPropertyOptional({
    enum: LOGOUT_SCOPES,
    default: 'local',
    description: "`local`: this session; `others`: all the user's other sessions; `global`: all of them.",
  })
  @IsOptional()
  @IsIn(LOGOUT_SCOPES, { message: 'scope must be one of local, others, global' })
  scope?: LogoutScope;
}
