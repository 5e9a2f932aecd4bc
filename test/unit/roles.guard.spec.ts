import { beforeEach, describe, expect, it } from '@jest/globals';
import { ForbiddenException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { RolesGuard } from '../../src/auth/guards/roles.guard.js';
import type { AuthUser } from '../../src/common/request-context/auth-user.js';
import { Roles } from '../../src/common/request-context/roles.decorator.js';

// Handlers declare `this: void`: the guard only reads their metadata, it never calls them.
@Roles('admin')
class AdminController {
  handler(this: void) {}

  @Roles('user')
  forUsers(this: void) {}
}

class PlainController {
  handler(this: void) {}
}

const SESSION = '5f0c4a8e-3b2d-4e1f-9a7c-1d2e3f4a5b6c';
const caller = (...roles: AuthUser['roles']): AuthUser => ({
  id: 1,
  name: 'alice',
  roles,
  sessionId: SESSION,
});

function context(
  controller: abstract new () => unknown,
  handler: (...args: never[]) => unknown,
  user?: AuthUser,
): ExecutionContext {
  return {
    getClass: () => controller,
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => ({ user }) }),
  } as unknown as ExecutionContext;
}

describe(RolesGuard.name, () => {
  let guard: RolesGuard;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({ providers: [RolesGuard, Reflector] }).compile();
    guard = moduleRef.get(RolesGuard);
  });

  it('should let any caller through a route without @Roles()', () => {
    expect(
      guard.canActivate(context(PlainController, PlainController.prototype.handler, caller('user'))),
    ).toBe(true);
  });

  it("should let an admin through a controller's @Roles('admin')", () => {
    expect(
      guard.canActivate(context(AdminController, AdminController.prototype.handler, caller('admin'))),
    ).toBe(true);
  });

  it('should refuse a caller without the role with a 403 naming it', () => {
    const act = () =>
      guard.canActivate(context(AdminController, AdminController.prototype.handler, caller('user')));
    expect(act).toThrow(ForbiddenException);
    expect(act).toThrow('this route needs the admin role');
  });

  it('should refuse a caller with no roles at all', () => {
    expect(() =>
      guard.canActivate(context(AdminController, AdminController.prototype.handler, caller())),
    ).toThrow(ForbiddenException);
  });

  it('should refuse when no authenticated user reached it (a @Public() route marked @Roles())', () => {
    expect(() => guard.canActivate(context(AdminController, AdminController.prototype.handler))).toThrow(
      ForbiddenException,
    );
  });

  it("should let the handler's @Roles() override the controller's", () => {
    expect(
      guard.canActivate(context(AdminController, AdminController.prototype.forUsers, caller('user'))),
    ).toBe(true);
    expect(() =>
      guard.canActivate(context(AdminController, AdminController.prototype.forUsers, caller('admin'))),
    ).toThrow(ForbiddenException);
  });
});
