import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DrainConnections } from './drain-connections.js';
import { Draining } from './draining.js';
import { HealthController } from './health.controller.js';
import { ReadinessService } from './readiness.service.js';

/**
 * GET /health/live and /health/ready (@nestjs/terminus), and the draining state main.ts sets on
 * SIGTERM. A Redis module reports through REDIS_HEALTH (common/health/redis-health.ts).
 */
@Module({
  // Terminus' own logger writes an error line for every failed probe; ReadinessService logs changes.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [Draining, DrainConnections, ReadinessService],
  exports: [Draining],
})
export class HealthModule {}
