import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody } from '../support/expected.js';

const CSP =
  "default-src 'self';script-src 'self';object-src 'none';base-uri 'none';frame-ancestors 'none';form-action 'self'";

describe('Pages and HTTP hygiene', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
  });

  afterAll(() => app.close());

  describe.each([
    ['/', 'Home'],
    ['/login', 'Login'],
    ['/forgot-password', 'Forgot password'],
    ['/reset-password', 'Reset password'],
    ['/verify-email', 'Confirm email'],
    ['/signup', 'Sign up'],
    ['/login-link', 'Sign in by email'],
  ])('GET %s', (path, title) => {
    it('should serve the page without a token, under the strict policy', async () => {
      const response = await request(server)
        .get(path)
        .expect(200)
        .expect('content-type', 'text/html; charset=utf-8')
        .expect('content-security-policy', CSP)
        .expect('referrer-policy', 'no-referrer')
        .expect('x-content-type-options', 'nosniff');
      expect(response.text).toContain(`<h3>${title}</h3>`);
    });

    it('should hold no inline script, event-handler attribute, inline style or remote URL', async () => {
      const { text } = await request(server).get(path).expect(200);
      expect(text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
      expect(text).not.toMatch(/\son[a-z]+\s*=/i);
      expect(text).not.toMatch(/\sstyle\s*=/i);
      expect(text).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    });

    it('should load every script and stylesheet it names from this service', async () => {
      const { text } = await request(server).get(path).expect(200);
      const assets = [...text.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((match) => match[1]);
      expect(assets.length).toBeGreaterThanOrEqual(3);
      for (const asset of assets) {
        await request(server).get(asset).expect(200);
      }
    });
  });

  it('should tell the pages what is offered: sign-up off, mail on (files outside production)', async () => {
    const response = await request(server)
      .get('/pages/config')
      .expect(200)
      .expect('cache-control', 'no-store')
      .expect('content-security-policy', CSP);
    expect(response.body).toEqual({ signUp: false, signUpRequiresEmail: false, mail: true });
  });

  it('should mark the new-password fields of the reset and sign-up pages for password managers', async () => {
    for (const page of ['/reset-password', '/signup']) {
      const { text } = await request(server).get(page).expect(200);
      expect(text).toMatch(
        /<input[^>]*id="(new-)?password"[^>]*type="password"[^>]*autocomplete="new-password"/,
      );
      expect(text).toMatch(
        /<input[^>]*id="confirm-password"[^>]*type="password"[^>]*autocomplete="new-password"/,
      );
    }
  });

  it('should mark the login fields for password managers', async () => {
    const { text } = await request(server).get('/login').expect(200);
    expect(text).toMatch(/<input[^>]*id="name"[^>]*autocomplete="username"/);
    expect(text).toMatch(/<input[^>]*id="password"[^>]*type="password"[^>]*autocomplete="current-password"/);
  });

  it('should serve the Font Awesome webfonts the stylesheet points at', async () => {
    const { text } = await request(server).get('/vendor/fontawesome/css/all.min.css').expect(200);
    const font = /url\(\.\.\/webfonts\/(fa-solid-900\.woff2)\)/.exec(text)?.[1];
    expect(font).toBeDefined();
    await request(server)
      .get(`/vendor/fontawesome/webfonts/${font}`)
      .expect(200)
      .expect('content-type', 'font/woff2');
  });

  it('should serve the WebAuthn browser bundle both pages load, as a script', async () => {
    for (const page of ['/', '/login']) {
      const { text } = await request(server).get(page).expect(200);
      expect(text).toContain('<script src="/vendor/simplewebauthn/index.umd.min.js"></script>');
    }
    const { text } = await request(server)
      .get('/vendor/simplewebauthn/index.umd.min.js')
      .expect(200)
      .expect('content-type', /^(text|application)\/javascript/);
    expect(text).toContain('SimpleWebAuthnBrowser');
  });

  it.each([
    ['an unknown path', '/nope'],
    ['an unknown API-like path', '/api/users/1'],
    ['an unknown asset', '/js/nope.js'],
    ['an unknown vendor file', '/vendor/bootstrap/css/nope.css'],
    ['a path escaping the client directory', '/js/..%2f..%2fpackage.json'],
    ['the server sources', '/src/main.ts'],
    ['the database', '/data/auth.sqlite'],
    ['the package manifest', '/package.json'],
  ])('should answer %s with a JSON 404', async (_case, path) => {
    const response = await request(server)
      .get(path)
      .expect(404)
      .expect('content-type', /^application\/json/);
    expect(response.body).toEqual(errorBody(404, 'Not Found', 'no such resource'));
  });

  it.each([
    ['an API route', 'delete', '/user', 'GET, HEAD'],
    ['an API route with a parameter', 'get', '/user/sessions/abc', 'DELETE'],
    ['a POST-only route', 'get', '/refresh', 'POST'],
    ['a page', 'post', '/', 'GET, HEAD'],
    ['a page that is also an API route', 'delete', '/login', 'GET, HEAD, POST'],
    ['a page by its file name', 'put', '/login.html', 'GET, HEAD'],
    ['a vendored file', 'post', '/vendor/bootstrap/css/bootstrap.min.css', 'GET, HEAD'],
  ] as const)(
    'should answer a method %s does not have with a JSON 405 and Allow',
    async (_case, method, path, allow) => {
      const response = await request(server)[method](path).expect(405).expect('allow', allow);
      expect(response.headers['content-security-policy']).toBe(CSP);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toEqual(errorBody(405, 'Method Not Allowed', `method must be one of ${allow}`));
    },
  );

  it('should answer HEAD with GET, from the same routes', async () => {
    await request(server).head('/login').expect(200);
    await request(server).head('/refresh').expect(405).expect('allow', 'POST');
  });

  it.each([['/nope'], ['/js/nope.js'], ['/vendor/bootstrap/css/nope.css']])(
    'should still answer any method on an unknown path %s with a JSON 404',
    async (path) => {
      const response = await request(server).post(path).expect(404);
      expect(response.body).toEqual(errorBody(404, 'Not Found', 'no such resource'));
    },
  );

  it('should send security headers and no X-Powered-By on every kind of response', async () => {
    const responses = await Promise.all([
      request(server).get('/'),
      request(server).get('/user'),
      request(server).get('/nope'),
      request(server).post('/login').send({ name: 'admin', password: '1234' }),
      request(server).post('/login').set('Content-Type', 'text/plain').send('x'),
    ]);
    for (const response of responses) {
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['content-security-policy']).toBe(CSP);
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    }
  });

  it('should never leak a stack trace, a file path or library text in an error', async () => {
    const responses = await Promise.all([
      request(server).get('/%'),
      request(server).get('/user').set('Authorization', 'Bearer e30.e30.e30'),
      request(server).post('/login').set('Content-Type', 'application/json').send('{"a":'),
      request(server)
        .post('/login')
        .set('Content-Type', 'application/json')
        .send('{"name":"a","password":"b","c":1}'),
      request(server).post('/login').set('Content-Type', 'application/json').send('{"__proto__":{}}'),
      request(server)
        .get('/user')
        .set('Authorization', 'Bearer ' + 'x'.repeat(4000)),
    ]);
    for (const response of responses) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.text).not.toMatch(
        /\bat\s|\/work\/|node_modules|\.ts\b|\.js\b|FST_|Unexpected token|jwt malformed|SyntaxError/,
      );
    }
  });
});
