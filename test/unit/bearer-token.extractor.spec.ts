import { describe, expect, it } from '@jest/globals';
import type { FastifyRequest } from 'fastify';
import { extractBearerToken, namesBearerScheme } from '../../src/auth/strategies/bearer-token.extractor.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';

/**
 * A request as Fastify hands it over: `headers` keeps the first Authorization header only,
 * `raw.rawHeaders` lists every header as sent.
 */
function request(...authorizations: string[]): FastifyRequest {
  const rawHeaders = ['Host', 'localhost'];
  for (const value of authorizations) {
    rawHeaders.push('Authorization', value);
  }
  return fakeRequest(authorizations[0], rawHeaders);
}

function fakeRequest(authorization: string | undefined, rawHeaders: string[]): FastifyRequest {
  return { headers: { authorization }, raw: { rawHeaders } } as unknown as FastifyRequest;
}

describe('extractBearerToken', () => {
  it('should return the token of a Bearer header', () => {
    expect(extractBearerToken(request(`Bearer ${TOKEN}`))).toBe(TOKEN);
  });

  it.each([
    ['three arbitrary segments', 'x.y.z'],
    ['a payload that is not a JSON object (null)', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bnVsbA.c2ln'],
    ['an array payload', 'eyJhbGciOiJIUzI1NiJ9.W10.c2ln'],
    ['no signature', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.'],
    ['five segments (JWE)', 'eyJ.eyJ.a.b.c'],
    ['a token over 2048 characters', `eyJhbGciOiJIUzI1NiJ9.eyJ${'a'.repeat(2048)}.c2ln`],
  ])('should refuse %s before any decoding', (_case, token) => {
    expect(extractBearerToken(request(`Bearer ${token}`))).toBeNull();
  });

  it.each(['bearer', 'BEARER', 'bEaReR'])('should accept the scheme spelled %s', (scheme) => {
    expect(extractBearerToken(request(`${scheme} ${TOKEN}`))).toBe(TOKEN);
  });

  it('should accept several spaces after the scheme', () => {
    expect(extractBearerToken(request(`Bearer   ${TOKEN}`))).toBe(TOKEN);
  });

  it('should refuse b64token characters that no issued token holds', () => {
    expect(extractBearerToken(request('Bearer eyJa.eyJb.c~+/=='))).toBeNull();
  });

  it('should return null without an Authorization header', () => {
    expect(extractBearerToken(fakeRequest(undefined, ['Host', 'localhost']))).toBeNull();
  });

  it.each([
    ['trailing junk', `Bearer ${TOKEN} junk`],
    ['a trailing space', `Bearer ${TOKEN} `],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
    ['two tokens separated by a comma', `Bearer ${TOKEN},${TOKEN}`],
    ['no token', 'Bearer'],
    ['no token after the space', 'Bearer '],
    ['no space after the scheme', `Bearer${TOKEN}`],
    ['a leading space', ` Bearer ${TOKEN}`],
    ['the Basic scheme', 'Basic YWRtaW46MTIzNA=='],
    ['the Token scheme', `Token ${TOKEN}`],
    ['a bare token', TOKEN],
    ['a tab after the scheme', `Bearer\t${TOKEN}`],
    ['a tab inside the token', `Bearer ${TOKEN}\tjunk`],
    ['a trailing newline', `Bearer ${TOKEN}\n`],
    ['a newline inside the header', `Bearer ${TOKEN}\nBearer other`],
    ['a carriage return', `Bearer ${TOKEN}\r\n`],
    ['padding in the middle', 'Bearer abc=def'],
    ['a quoted token', `Bearer "${TOKEN}"`],
  ])('should refuse %s', (_case, header) => {
    expect(extractBearerToken(request(header))).toBeNull();
  });

  it.each(['Authorization', 'authorization', 'AUTHORIZATION', 'aUtHoRiZaTiOn'])(
    'should refuse a second Authorization header spelled %s',
    (name) => {
      const rawHeaders = ['Authorization', `Bearer ${TOKEN}`, 'Host', 'localhost', name, 'Bearer other'];
      expect(extractBearerToken(fakeRequest(`Bearer ${TOKEN}`, rawHeaders))).toBeNull();
    },
  );

  it('should refuse a second Authorization header even when both are the same', () => {
    expect(extractBearerToken(request(`Bearer ${TOKEN}`, `Bearer ${TOKEN}`))).toBeNull();
  });

  it('should not count header values that read "authorization"', () => {
    const rawHeaders = ['Authorization', `Bearer ${TOKEN}`, 'X-Note', 'Authorization'];
    expect(extractBearerToken(fakeRequest(`Bearer ${TOKEN}`, rawHeaders))).toBe(TOKEN);
  });
});

describe('namesBearerScheme', () => {
  it.each([
    ['a token', true, `Bearer ${TOKEN}`],
    ['the scheme in another case', true, `bEaReR ${TOKEN}`],
    ['the scheme alone', true, 'Bearer'],
    ['the scheme and a space', true, 'Bearer '],
    ['a tab after the scheme', true, `Bearer\t${TOKEN}`],
    ['trailing junk', true, `Bearer ${TOKEN} junk`],
    ['no space after the scheme', false, `Bearer${TOKEN}`],
    ['a leading space', false, ` Bearer ${TOKEN}`],
    ['the Basic scheme', false, 'Basic YWRtaW46MTIzNA=='],
    ['a bare token', false, TOKEN],
    ['an empty header', false, ''],
  ])('should read %s as naming the scheme: %s', (_case, expected, header) => {
    expect(namesBearerScheme(header)).toBe(expected);
  });

  // The guard's and the extractor's readings were two expressions before they became one: both
  // old expressions stand here as the reference the one reading must agree with.
  const OLD_SCHEME = /^Bearer(?:\s|$)/i;
  const OLD_TOKEN = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
  const ISSUED_SHAPE = /^eyJ[\w-]*\.eyJ[\w-]*\.[\w-]+$/;
  const STARTS = ['', 'Bearer', 'bEARER ', 'Bearer eyJa.eyJb.', 'Basic '];
  const PIECES = [
    'Bearer',
    'bearer',
    'Basic',
    ' ',
    '  ',
    '\t',
    '\n',
    'eyJ',
    'a',
    '.',
    '=',
    '~',
    ',',
    '"',
    'x',
  ];

  it('should agree with the two expressions it replaces on 20,000 generated headers', () => {
    let seed = 23;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 1) % PIECES.length;
    const seen = { scheme: 0, token: 0 };
    for (let i = 0; i < 20_000; i++) {
      const start = STARTS[i % STARTS.length];
      const header = start + Array.from({ length: i % 7 }, () => PIECES[next()]).join('');
      const scheme = OLD_SCHEME.test(header);
      const candidate = OLD_TOKEN.exec(header)?.[1];
      const expected = candidate !== undefined && ISSUED_SHAPE.test(candidate) ? candidate : null;
      expect([header, namesBearerScheme(header), extractBearerToken(request(header))]).toEqual([
        header,
        scheme,
        expected,
      ]);
      seen.scheme += scheme ? 1 : 0;
      seen.token += expected === null ? 0 : 1;
    }
    // The generator reaches both readings, not only refusals.
    expect(seen.scheme).toBeGreaterThan(5000);
    expect(seen.token).toBeGreaterThan(100);
  });
});
