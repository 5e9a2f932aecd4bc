import { jest } from '@jest/globals';

type Method = (...args: never[]) => unknown;

/** Each public method of T as a jest mock of its own signature; properties are left out. */
export type MockOf<T> = {
  [K in keyof T as T[K] extends Method ? K : never]: T[K] extends Method ? jest.Mock<T[K]> : never;
};

/**
 * A fake of `type` whose every method (its own and inherited, but Object's) is a fresh jest.fn()
 * typed from the class: a spec states the type once, as the class, and sets only the answers it
 * needs (`users.findActive.mockResolvedValue(...)`). An unset method returns undefined.
 */
export function mockOf<T>(type: abstract new (...args: never[]) => T): MockOf<T> {
  const mock: Record<string, jest.Mock> = {};
  for (let proto: object | null = type.prototype as object; proto !== null && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
      if (name !== 'constructor' && typeof value === 'function' && !(name in mock)) {
        mock[name] = jest.fn();
      }
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return mock as unknown as MockOf<T>;
}
