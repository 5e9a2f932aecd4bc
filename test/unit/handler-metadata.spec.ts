import { describe, expect, it, jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HandlerMetadata } from '../../src/common/request-context/handler-metadata.js';
import { IS_PUBLIC_KEY, Public } from '../../src/common/request-context/public.decorator.js';

// Handlers declare `this: void`: only their metadata is read, they are never called.
class Base {
  inherited(this: void) {}

  @Public()
  open(this: void) {}
}

@Public()
class PublicChild extends Base {}

class GuardedChild extends Base {}

const context = (target: object, handler: object) =>
  ({ getClass: () => target, getHandler: () => handler }) as unknown as ExecutionContext;

describe(HandlerMetadata.name, () => {
  it("should answer what getAllAndOverride answers: the handler's metadata over its class's", () => {
    const metadata = new HandlerMetadata<boolean>(new Reflector(), IS_PUBLIC_KEY);
    expect(metadata.get(context(GuardedChild, Base.prototype.open))).toBe(true);
    expect(metadata.get(context(GuardedChild, Base.prototype.inherited))).toBeUndefined();
    expect(metadata.get(context(PublicChild, Base.prototype.inherited))).toBe(true);
  });

  it('should tell apart two controllers that share an inherited handler, in either order', () => {
    const metadata = new HandlerMetadata<boolean>(new Reflector(), IS_PUBLIC_KEY);
    for (let round = 0; round < 2; round++) {
      expect(metadata.get(context(PublicChild, Base.prototype.inherited))).toBe(true);
      expect(metadata.get(context(GuardedChild, Base.prototype.inherited))).toBeUndefined();
    }
  });

  it('should ask the reflector once for a handler and class seen again', () => {
    const reflector = new Reflector();
    const lookup = jest.spyOn(reflector, 'getAllAndOverride');
    const metadata = new HandlerMetadata<boolean>(reflector, IS_PUBLIC_KEY);
    for (let i = 0; i < 3; i++) {
      expect(metadata.get(context(GuardedChild, Base.prototype.open))).toBe(true);
    }
    expect(lookup).toHaveBeenCalledTimes(1);
  });
});
