import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditStore } from '../audit/audit-store.js';
import { Roles } from '../common/request-context/roles.decorator.js';
import {
  ACCESS_TOKEN_ERRORS,
  ApiErrorResponses,
  NO_STORE,
  ROLE_ERRORS,
} from '../docs/api-error-responses.decorator.js';
import { AuditEventPage, toAuditEventView } from './audit-event-view.js';
import { AuditQueryDto } from './dto/audit-query.dto.js';
import { cursorId, pageLimit } from './dto/page-query.rules.js';

@ApiTags('admin')
@Roles('admin')
@Controller('admin/audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditStore) {}

  /** The stored audit trail, newest first (events still queued are written first). */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Stored audit events, newest first, by event, user and time' })
  @ApiOkResponse({ type: AuditEventPage, headers: NO_STORE })
  @ApiErrorResponses({ 400: 'A malformed query parameter.', ...ACCESS_TOKEN_ERRORS, ...ROLE_ERRORS })
  async list(@Query() query: AuditQueryDto): Promise<AuditEventPage> {
    const limit = pageLimit(query.limit);
    const { items, more } = await this.audit.page({
      event: query.event,
      userId: query.user === undefined ? undefined : Number(query.user),
      since: query.since === undefined ? undefined : new Date(query.since),
      until: query.until === undefined ? undefined : new Date(query.until),
      limit,
      beforeId: cursorId(query.cursor),
    });
    return {
      items: items.map(toAuditEventView),
      nextCursor: more ? String(items[items.length - 1].id) : null,
    };
  }
}
