import {
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/request-context/actor.js';
import type { AuthUser } from '../common/request-context/auth-user.js';
import { CurrentActor } from '../common/request-context/current-actor.decorator.js';
import { UuidPipe } from '../common/pipes/uuid.pipe.js';
import { CurrentUser } from '../common/request-context/current-user.decorator.js';
import {
  ACCESS_TOKEN_ERRORS,
  ApiErrorResponses,
  NO_BODY_ERRORS,
  NO_STORE,
} from '../docs/api-error-responses.decorator.js';
import { SessionView, toSessionView } from './session-view.js';
import { SessionsService } from './sessions.service.js';

@ApiTags('sessions')
@Controller('user/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  /** The caller's live sessions, newest first, the current one marked. */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "The caller's live sessions, newest first" })
  @ApiOkResponse({ type: [SessionView], headers: NO_STORE })
  @ApiErrorResponses(ACCESS_TOKEN_ERRORS)
  async list(@CurrentUser() user: AuthUser): Promise<SessionView[]> {
    const sessions = await this.sessions.listActive(user.id);
    return sessions.map((session) => toSessionView(session, user.sessionId));
  }

  /** Ends one of the caller's sessions (the current one included). */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "End one of the caller's sessions" })
  @ApiParam({ name: 'id', format: 'uuid', description: 'A session id from GET /user/sessions.' })
  @ApiNoContentResponse({ description: 'Ended: its tokens are refused from now on.' })
  @ApiErrorResponses({
    400: 'id is not a UUID (RFC 9562, any version), or a body was sent: none is taken (`{}` counts as none).',
    ...ACCESS_TOKEN_ERRORS,
    ...NO_BODY_ERRORS,
    404: 'No live session of the caller has this id.',
  })
  async end(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidPipe) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    const ended = await this.sessions.endRecorded(
      { id, userId: user.id },
      'revoked',
      actor,
      ({ sessions }) =>
        sessions === 0
          ? undefined
          : { event: 'session.ended', fields: { scope: 'one', userId: user.id, sessionId: id, sessions } },
    );
    if (ended === 0) {
      throw new NotFoundException('session not found');
    }
  }
}
