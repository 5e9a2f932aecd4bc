// Floor 2: NestJS on Fastify (the stack the service is built on), GET /user answering like the
// node:http ceiling behind a global guard: one module, one controller, one guard, no logging, no
// security headers, no database. What any NestJS service on this adapter pays before doing
// anything of its own. Plain JavaScript, so decorators are applied as functions.
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Req, UnauthorizedException } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { verify } from './hs256.mjs';

class TokenGuard {
  canActivate(context) {
    const request = context.switchToHttp().getRequest();
    const authorization = request.headers.authorization;
    const claims = authorization?.startsWith('Bearer ') ? verify(authorization.slice(7)) : null;
    if (claims === null) {
      throw new UnauthorizedException();
    }
    request.user = claims;
    return true;
  }
}
Injectable()(TokenGuard);

class UserController {
  me(request) {
    return { id: request.user.id, name: request.user.name };
  }
}
Get()(UserController.prototype, 'me', Object.getOwnPropertyDescriptor(UserController.prototype, 'me'));
Req()(UserController.prototype, 'me', 0);
Controller('user')(UserController);

class FloorModule {}
Module({ controllers: [UserController], providers: [{ provide: APP_GUARD, useClass: TokenGuard }] })(
  FloorModule,
);

const app = await NestFactory.create(FloorModule, new FastifyAdapter(), { logger: false });
await app.listen(Number(process.env.PORT ?? 8500), '127.0.0.1');
