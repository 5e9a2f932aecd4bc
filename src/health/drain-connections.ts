import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Draining } from './draining.js';

/**
 * While draining, every answer carries `Connection: close`: keep-alive clients (a load balancer's
 * pooled connections among them) reconnect, and reach another instance. Without it, a connection
 * busy when the listener closes stays open after its answer until the client drops it (seconds),
 * and the process cannot exit before.
 */
@Injectable()
export class DrainConnections implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly draining: Draining,
  ) {}

  onModuleInit(): void {
    // Before the app listens: Fastify takes no hooks after that.
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', (_request, reply, payload, done) => {
      if (this.draining.since !== undefined) {
        void reply.header('Connection', 'close');
      }
      done(null, payload);
    });
  }
}
