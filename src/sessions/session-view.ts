import { ApiProperty } from '@nestjs/swagger';
import type { SessionEntity } from './session.entity.js';

/** What the caller sees of one of their sessions. */
export class SessionView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'date-time', description: 'When the login that opened it happened.' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', description: 'The last login or refresh.' })
  lastUsedAt!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The User-Agent that logged in.' })
  userAgent!: string | null;

  @ApiProperty({ description: 'Whether this is the session of the token that asked.' })
  current!: boolean;
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
