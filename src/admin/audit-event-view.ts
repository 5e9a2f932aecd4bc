import { ApiProperty } from '@nestjs/swagger';
import type { AuditEventEntity } from '../audit/audit-event.entity.js';

/** One stored audit event as GET /admin/audit shows it. */
export class AuditEventView {
  @ApiProperty({ type: 'integer' })
  id!: number;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ example: 'login.succeeded' })
  event!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Who acted: a user id, "cli" (the operators\' CLI), or null (an unauthenticated request).',
  })
  actor!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The account the event is about.' })
  userId!: number | null;

  @ApiProperty({ type: String, nullable: true, description: "The client's address." })
  ip!: string | null;

  @ApiProperty({ type: String, nullable: true, description: "The request's X-Request-Id." })
  requestId!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The rest of the event: ids, reasons, counts; never a password, token or hash.',
  })
  details!: Record<string, unknown>;
}

export class AuditEventPage {
  @ApiProperty({ type: [AuditEventView] })
  items!: AuditEventView[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for older events; null on the last page.',
  })
  nextCursor!: string | null;
}

export function toAuditEventView(row: AuditEventEntity): AuditEventView {
  return {
    id: row.id,
    at: row.at.toISOString(),
    event: row.event,
    actor: row.actor,
    userId: row.userId,
    ip: row.ip,
    requestId: row.requestId,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
