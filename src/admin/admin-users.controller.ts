import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { IdPipe } from '../common/pipes/id.pipe.js';
import type { Actor } from '../common/request-context/actor.js';
import type { AuthUser } from '../common/request-context/auth-user.js';
import { CurrentActor } from '../common/request-context/current-actor.decorator.js';
import { CurrentUser } from '../common/request-context/current-user.decorator.js';
import { Roles } from '../common/request-context/roles.decorator.js';
import {
  ACCESS_TOKEN_ERRORS,
  ApiErrorResponses,
  JSON_BODY_ERRORS,
  NO_BODY_ERRORS,
  NO_STORE,
  ROLE_ERRORS,
} from '../docs/api-error-responses.decorator.js';
import { SessionView, toSessionView } from '../sessions/session-view.js';
import { LAST_ADMIN_MESSAGE } from '../users/users.service.js';
import { AdminUserPage, AdminUserView, toAdminUserView } from './admin-user-view.js';
import { ID_MAX } from '../common/validation/limits.js';
import { AdminUsersService } from './admin-users.service.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { ListUsersQueryDto } from './dto/list-users-query.dto.js';
import { cursorId, pageLimit } from './dto/page-query.rules.js';
import { ResetPasswordDto } from './dto/reset-password.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';

const ID_PARAM = ApiParam({
  name: 'id',
  schema: { type: 'integer', minimum: 1, maximum: ID_MAX },
  description: 'A user id from GET /admin/users.',
});
const UNKNOWN_USER = 'No user has this id.';
const LAST_ADMIN = `It would leave no enabled admin ("${LAST_ADMIN_MESSAGE}").`;

/** Account management for admins (docs/admin.md). Every route needs the admin role. */
@ApiTags('admin')
@Roles('admin')
@Controller('admin/users')
export class AdminUsersController {
  constructor(private readonly admin: AdminUsersService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'List accounts by id, optionally by name prefix' })
  @ApiOkResponse({ type: AdminUserPage, headers: NO_STORE })
  @ApiErrorResponses({ 400: 'A malformed query parameter.', ...ACCESS_TOKEN_ERRORS, ...ROLE_ERRORS })
  async list(@Query() query: ListUsersQueryDto): Promise<AdminUserPage> {
    const limit = pageLimit(query.limit);
    const { items, more } = await this.admin.page({
      search: query.search,
      limit,
      afterId: cursorId(query.cursor, 'max'),
    });
    return {
      items: items.map(toAdminUserView),
      nextCursor: more ? String(items[items.length - 1].id) : null,
    };
  }

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Create an account, or invite one (an email and no password)',
    description:
      'With an `email` and no `password` the account is invited: it gets a password nobody knows, and ' +
      '`email` a link (`PUBLIC_URL/reset-password#token=...`, INVITE_TTL seconds) whose token POST ' +
      '/password/reset takes to set the first password, verifying the address. Until then a password ' +
      'login fails as a wrong password does.',
  })
  @ApiCreatedResponse({ type: AdminUserView, headers: NO_STORE })
  @ApiErrorResponses({
    400:
      'A malformed body: the name or the password breaks a rule, an unknown role, neither a password ' +
      'nor an email, or an invite (no password) while mail is off.',
    ...ACCESS_TOKEN_ERRORS,
    ...ROLE_ERRORS,
    409: 'The name is taken (names compare case-insensitively), or looks like a taken one.',
    ...JSON_BODY_ERRORS,
  })
  async create(@Body() body: CreateUserDto, @CurrentActor() actor: Actor): Promise<AdminUserView> {
    return toAdminUserView(
      await this.admin.create(body.name, body.password, body.roles ?? ['user'], actor, body.email),
    );
  }

  @Get(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'One account' })
  @ID_PARAM
  @ApiOkResponse({ type: AdminUserView, headers: NO_STORE })
  @ApiErrorResponses({
    400: 'id is not a positive integer.',
    ...ACCESS_TOKEN_ERRORS,
    ...ROLE_ERRORS,
    404: UNKNOWN_USER,
  })
  async get(@Param('id', IdPipe) id: number): Promise<AdminUserView> {
    return toAdminUserView(await this.admin.get(id));
  }

  @Patch(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Disable, enable, promote or demote an account; applies to its live tokens at once',
  })
  @ID_PARAM
  @ApiOkResponse({ type: AdminUserView, headers: NO_STORE })
  @ApiErrorResponses({
    400: 'id is not a positive integer, or a malformed body (an unknown field or role).',
    ...ACCESS_TOKEN_ERRORS,
    ...ROLE_ERRORS,
    404: UNKNOWN_USER,
    409: LAST_ADMIN,
    ...JSON_BODY_ERRORS,
  })
  async update(
    @Param('id', IdPipe) id: number,
    @Body() body: UpdateUserDto,
    @CurrentActor() actor: Actor,
  ): Promise<AdminUserView> {
    return toAdminUserView(await this.admin.update(id, body, actor));
  }

  @Put(':id/password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Set an account's password; all its sessions end" })
  @ID_PARAM
  @ApiNoContentResponse({ description: 'Set.' })
  @ApiErrorResponses({
    400: 'id is not a positive integer, or a malformed body (the new password too short, too long...).',
    ...ACCESS_TOKEN_ERRORS,
    ...ROLE_ERRORS,
    404: UNKNOWN_USER,
    ...JSON_BODY_ERRORS,
  })
  async resetPassword(
    @Param('id', IdPipe) id: number,
    @Body() body: ResetPasswordDto,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.admin.resetPassword(id, body.newPassword, actor);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete an account; its sessions end and its tokens are refused at once' })
  @ID_PARAM
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrorResponses({
    400: 'id is not a positive integer, or a body was sent: none is taken (`{}` counts as none).',
    ...ACCESS_TOKEN_ERRORS,
    ...ROLE_ERRORS,
    404: UNKNOWN_USER,
    409: LAST_ADMIN,
    ...NO_BODY_ERRORS,
  })
  async delete(@Param('id', IdPipe) id: number, @CurrentActor() actor: Actor): Promise<void> {
    await this.admin.delete(id, actor);
  }

  @Get(':id/sessions')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "An account's live sessions, newest first" })
  @ID_PARAM
  @ApiOkResponse({ type: [SessionView], headers: NO_STORE })
  @ApiErrorResponses({
    400: 'id is not a positive integer.',
    ...ACCESS_TOKEN_ERRORS,
    ...ROLE_ERRORS,
    404: UNKNOWN_USER,
  })
  async sessions(@Param('id', IdPipe) id: number, @CurrentUser() caller: AuthUser): Promise<SessionView[]> {
    const sessions = await this.admin.listSessions(id);
    return sessions.map((session) => toSessionView(session, caller.sessionId));
  }

  @Delete(':id/sessions')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "End all of an account's sessions" })
  @ID_PARAM
  @ApiNoContentResponse({ description: 'Ended: their tokens are refused from now on.' })
  @ApiErrorResponses({
    400: 'id is not a positive integer, or a body was sent: none is taken (`{}` counts as none).',
    ...ACCESS_TOKEN_ERRORS,
    ...ROLE_ERRORS,
    404: UNKNOWN_USER,
    ...NO_BODY_ERRORS,
  })
  async endSessions(@Param('id', IdPipe) id: number, @CurrentActor() actor: Actor): Promise<void> {
    await this.admin.endSessions(id, actor);
  }
}
