import { Controller, Get, Header, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/request-context/public.decorator.js';
import { QUIET_REQUEST_LOG } from '../logging/request-log.js';
import { LIVE_RESPONSE, NOT_READY_RESPONSE, READY_RESPONSE } from './health-response.js';
import { ReadinessService } from './readiness.service.js';

/** Probes for load balancers and orchestrators: public, never cached, logged at debug only. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  @RouteConfig(QUIET_REQUEST_LOG)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse(LIVE_RESPONSE)
  live(): HealthCheckResult {
    return { status: 'ok', info: {}, error: {}, details: {} };
  }

  /**
   * 200 or 503 with terminus' result either way, answered here rather than thrown: the
   * exception filter would make the 503 a bare "internal server error" and log it as one.
   */
  @Get('ready')
  @RouteConfig(QUIET_REQUEST_LOG)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Readiness: the database answers and is migrated; not while shutting down' })
  @ApiOkResponse(READY_RESPONSE)
  @ApiServiceUnavailableResponse(NOT_READY_RESPONSE)
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    const { ready, body } = await this.readiness.check();
    if (!ready) {
      void reply.status(503);
    }
    return body;
  }
}
