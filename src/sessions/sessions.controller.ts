import {
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  ParseUUIDPipe,
} from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import { audit } from '../logging/audit.js';
import type { SessionEntity } from './session.entity.js';
import { SessionsService } from './sessions.service.js';

/** What the caller sees of one of their sessions. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  current: boolean;
}

export function toSessionView(session: SessionEntity, currentSessionId: string): SessionView {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    userAgent: session.userAgent,
    current: session.id === currentSessionId,
  };
}

@Controller('user/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  /** The caller's live sessions, newest first, the current one marked. */
  @Get()
  @Header('Cache-Control', 'no-store')
  async list(@CurrentUser() user: AuthUser): Promise<SessionView[]> {
    const sessions = await this.sessions.listActive(user.id);
    return sessions.map((session) => toSessionView(session, user.sessionId));
  }

  /** Ends one of the caller's sessions (the current one included). */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async end(
    @CurrentUser() user: AuthUser,
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
  ): Promise<void> {
    if (!(await this.sessions.endOwn(user.id, id, 'revoked'))) {
      throw new NotFoundException('session not found');
    }
    audit('session.ended', { scope: 'one', userId: user.id, sessionId: id, sessions: 1 });
  }
}
