import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { errorBody } from '../support/expected.js';

// The name policy and the one definition of length, through HTTP: names that would display as
// another (invisible, bidi, control, mixed-script, look-alike characters), names of astral
// characters end to end, and strings that are not well-formed Unicode.
process.env.SIGNUP_ENABLED = 'true';

const PASSWORD = 'a good long password';
const ONLY_ALLOWED = /^name may hold only letters, digits/;
const MARK_PLACEMENT = 'name may hold combining marks only right after a letter, at most 2 on one letter';
const DRAWN_OVER =
  'name must not hold enclosing or overlay marks (they draw around or through other characters)';

describe('Account names', () => {
  let app: NestFastifyApplication;
  let server: import('node:http').Server;

  beforeAll(async () => {
    const { createTestApp, httpServer } = await import('../support/app.js');
    app = await createTestApp();
    server = httpServer(app);
  });

  afterAll(() => app.close());

  const signUp = (name: string, password = PASSWORD) =>
    request(server).post('/users').send({ name, password });
  const login = (name: string, password = PASSWORD) =>
    request(server).post('/login').send({ name, password });
  const expectRefusal = (response: request.Response, status: number, message: string | RegExp) =>
    expect(response.body).toEqual(
      errorBody(
        status,
        status === 400 ? 'Bad Request' : 'Conflict',
        typeof message === 'string' ? message : (expect.stringMatching(message) as string),
      ),
    );

  describe('names that lie', () => {
    it.each([
      ['a zero-width space at the end', 'admin\u200b', ONLY_ALLOWED],
      ['a right-to-left override', '\u202eadmin', ONLY_ALLOWED],
      ['a NUL', 'admin\u0000', ONLY_ALLOWED],
      ['a lone control character', '\u0001', ONLY_ALLOWED],
      ['a soft hyphen inside', 'ad\u00admin', ONLY_ALLOWED],
      ['a word joiner', 'ad\u2060min', ONLY_ALLOWED],
      ['a byte-order mark', '\ufeffadmin', ONLY_ALLOWED],
      ['a no-break space', 'dana\u00a0scully', ONLY_ALLOWED],
      ['an ideographic space', 'dana\u3000scully', ONLY_ALLOWED],
      ['a tag character (astral, format)', 'admin\u{e0041}', ONLY_ALLOWED],
      ['a private-use character', 'admin\ue000', ONLY_ALLOWED],
      ['an emoji', 'rocket🚀', ONLY_ALLOWED],
      ['a leading space', ' admin', /^name must start with a letter or digit/],
      ['a trailing space', 'admin ', /^name must start with a letter or digit/],
      ['two spaces in a row', 'dana  scully', /^name must start with a letter or digit/],
      ['a leading combining mark', '\u0301admin', /^name must start with a letter or digit/],
      ['a Cyrillic "а" among Latin letters', '\u0430dmin', /^name must not mix letters of different scripts/],
      ['a Greek "ο" among Latin letters', 'r\u03bfot', /^name must not mix letters of different scripts/],
      ['a combining mark after a space', 'x \u0301y', MARK_PLACEMENT],
      ['a combining mark after a digit', 'agent7\u0301', MARK_PLACEMENT],
      ['a combining mark after punctuation', 'x.\u0308y', MARK_PLACEMENT],
      ['three marks on one letter', 'zal\u0301\u0300\u0302go', MARK_PLACEMENT],
      ['two marks on a letter that carries one already', 'caf\u00e9\u0301\u0300', MARK_PLACEMENT],
      ['an overlay mark (long solidus)', 'y\u0338z', DRAWN_OVER],
      ['an overlay mark (long stroke)', 'ad\u0336min', DRAWN_OVER],
      ['an enclosing mark (circle)', 'admin\u20dd', DRAWN_OVER],
      [
        'a Devanagari vowel sign on Latin letters',
        'admin\u093f',
        /^name must not mix letters of different scripts/,
      ],
    ])('should refuse %s with 400 and create nothing', async (_case, name, message) => {
      const response = await signUp(name).expect(400);
      expectRefusal(response, 400, message);
      await login(name).expect(400);
    });

    it.each([
      ['another case', 'ADMIN', 'name is already taken'],
      [
        'a digit one for an l',
        'admin1'.slice(0, 5).replace('i', '1'),
        'name looks too much like a taken name',
      ],
      ['a capital I for an l', 'wil'.replace('l', 'I') + 'liam', 'name looks too much like a taken name'],
      ['an accent', 'ädmin', 'name looks too much like a taken name'],
      ['a dotless i', 'adm\u0131n', 'name looks too much like a taken name'],
      ['"rn" for an "m"', 'adrnin', 'name looks too much like a taken name'],
      ['an all-Cyrillic spelling', '\u0430\u0501\u043c\u0456\u043f', 'name looks too much like a taken name'],
      ['fullwidth letters', '\uff41\uff44\uff4d\uff49\uff4e', 'name looks too much like a taken name'],
    ])('should refuse a look-alike of a taken name (%s) with 409', async (_case, name, message) => {
      await signUp('william').expect((response) => expect([201, 409]).toContain(response.status));
      const response = await signUp(name).expect(409);
      expectRefusal(response, 409, message);
    });

    it('should store a name in NFC, so its two spellings are one account', async () => {
      const decomposed = 'Zoe\u0308';
      const response = await signUp(decomposed).expect(201);
      expect(response.body).toEqual({ id: expect.any(Number), name: 'Zo\u00eb' });
      await login('zo\u00eb').expect(200);
      await login(decomposed).expect(200);
      expectRefusal(await signUp('Zo\u00eb', 'another password').expect(409), 409, 'name is already taken');
    });

    it.each([
      ['Japanese (Han and kana)', '山田たろう'],
      ['Korean (Han and Hangul)', '김철수'],
      ['Greek', 'Σωκράτης'],
      ['Arabic', 'محمد'],
      ['Latin with digits and punctuation', 'j.r.r_tolkien-1892'],
      ['Devanagari with its marks', 'देवनागरी'],
      ['Vietnamese (two marks on a letter)', 'Nguyễn'],
      ['Thai (a vowel and a tone mark on a letter)', 'นี้ดี'],
      ['Latin with a mark on a letter that has no precomposed form', 'x\u0301y'],
    ])('should accept a name in %s', async (_case, name) => {
      await signUp(name).expect(201);
      await login(name).expect(200);
    });
  });

  describe('one length', () => {
    // U+20000 and up (CJK Extension B): letters outside the BMP, two UTF-16 units each.
    const astral = (count: number) =>
      Array.from({ length: count }, (_, i) => String.fromCodePoint(0x20000 + i)).join('');

    it('should let a 64-character name of astral letters sign up, log in and use its token', async () => {
      const name = astral(64);
      expect(name.length).toBe(128);
      await signUp(name).expect(201);
      const { token } = (await login(name).expect(200)).body as { token: string };
      const user = await request(server).get('/user').set('Authorization', `Bearer ${token}`).expect(200);
      expect((user.body as { name: string }).name).toBe(name);
    });

    it('should take a 64-character name whose folded form is longer ("İ" lower-cases to two)', async () => {
      const name = `${'İ'.repeat(32)}${'i'.repeat(32)}`.slice(0, 64);
      expect([...name.toLowerCase()].length).toBeGreaterThan(64);
      await signUp(name).expect(201);
      await login(name).expect(200);
    });

    it('should refuse 65 of them, in characters, at sign-up and at login', async () => {
      expectRefusal(await signUp(astral(65)).expect(400), 400, 'name must be at most 64 characters');
      expectRefusal(await login(astral(65)).expect(400), 400, 'name must be at most 64 characters');
    });
  });

  describe('strings that are not well-formed', () => {
    const LONE = '\ud800';

    it.each([
      ['POST /users', 'name', () => signUp(`ab${LONE}cd`)],
      ['POST /users', 'password', () => signUp('loner', `password${LONE}`)],
      ['POST /login', 'name', () => login(`admin${LONE}`, '1234')],
      ['POST /login', 'password', () => login('admin', `1234${'\udfff'}`)],
    ])('%s should refuse a lone surrogate in %s with 400', async (_route, field, call) => {
      const response = await call().expect(400);
      expectRefusal(response, 400, `${field} must be well-formed Unicode (no unpaired surrogates)`);
    });

    it('should not let two passwords that differ only in a lone surrogate collide', async () => {
      await signUp('collider', 'password one \ud83d').expect(400);
      await signUp('collider', 'password one \ufffd').expect(201);
      await login('collider', 'password one \ud83d').expect(400);
    });

    it('should refuse a body that is not UTF-8 with 400, before anything reads it', async () => {
      // Raw bytes need a real client: supertest would serialise a Buffer as JSON.
      await app.listen(0, '127.0.0.1');
      const { port } = server.address() as import('node:net').AddressInfo;
      // "é" in Latin-1, and a surrogate encoded as UTF-8 (CESU-8): both would decode to U+FFFD.
      const bodies = [
        Buffer.from('{"name":"caf\xe9","password":"a good long password"}', 'latin1'),
        Buffer.concat([
          Buffer.from('{"name":"ab'),
          Buffer.from([0xed, 0xa0, 0x80]),
          Buffer.from('","password":"a good long password"}'),
        ]),
      ];
      for (const body of bodies) {
        const response = await fetch(`http://127.0.0.1:${port}/users`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body,
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual(errorBody(400, 'Bad Request', 'request body must be UTF-8'));
      }
      await login('caf\ufffd').expect(400);
      await login('ab\ufffd').expect(400);
    });
  });
});
