import { beforeEach, describe, expect, it } from '@jest/globals';
import { MethodNotAllowedError } from '../../src/common/http/method-not-allowed.exception.js';
import { RouteMethods } from '../../src/common/http/route-methods.js';

describe(RouteMethods.name, () => {
  let methods: RouteMethods;

  beforeEach(() => {
    methods = new RouteMethods();
    methods.add(['GET', 'HEAD']);
    methods.add('post');
    methods.add('DELETE');
  });

  it('should list, sorted, the recorded methods whose routes match the path', () => {
    const routes: Record<string, object> = {
      POST: { params: {} },
      GET: { params: {} },
      HEAD: { params: {} },
    };
    expect(methods.allowed((method) => (routes[method] ? { params: {} } : null))).toEqual([
      'GET',
      'HEAD',
      'POST',
    ]);
  });

  it('should count a route with parameters', () => {
    expect(methods.allowed((method) => (method === 'DELETE' ? { params: { id: 'abc' } } : null))).toEqual([
      'DELETE',
    ]);
  });

  it('should count only the routes that have the path as it is when one does (OpenAPI: a fixed path wins)', () => {
    // POST /user/passkeys/registration-options beside DELETE /user/passkeys/:id.
    const routes: Record<string, { params: Record<string, unknown> }> = {
      POST: { params: {} },
      DELETE: { params: { id: 'registration-options' } },
    };
    expect(methods.allowed((method) => routes[method] ?? null)).toEqual(['POST']);
  });

  it('should call a request for a template shadowed when a route has its path as it is', () => {
    methods.add('POST', '/user/passkeys/registration-options');
    methods.add('DELETE', '/user/passkeys/:id');
    expect(methods.shadowed('/user/passkeys/:id', '/user/passkeys/registration-options')).toBe(true);
    expect(methods.shadowed('/user/passkeys/:id', '/user/passkeys/registration-options?x=1')).toBe(true);
    expect(methods.shadowed('/user/passkeys/:id', '/user/passkeys/0b6c2a7e')).toBe(false);
    expect(
      methods.shadowed('/user/passkeys/registration-options', '/user/passkeys/registration-options'),
    ).toBe(false);
    expect(methods.shadowed(undefined, '/user/passkeys/registration-options')).toBe(false);
  });

  it('should not count a catch-all route, which answers every path', () => {
    expect(methods.allowed((method) => (method === 'GET' ? { params: { '*': 'nope' } } : null))).toEqual([]);
  });

  it('should ask only about methods some route has', () => {
    const asked: string[] = [];
    methods.allowed((method) => {
      asked.push(method);
      return null;
    });
    expect(asked.sort()).toEqual(['DELETE', 'GET', 'HEAD', 'POST']);
  });
});

describe(MethodNotAllowedError.name, () => {
  it('should be a 405 that carries Allow and names the methods', () => {
    const error = new MethodNotAllowedError(['GET', 'HEAD']);
    expect(error.getStatus()).toBe(405);
    expect(error.responseHeaders).toEqual({ Allow: 'GET, HEAD' });
    expect(error.message).toBe('method must be one of GET, HEAD');
  });
});
