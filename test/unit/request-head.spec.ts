import { describe, expect, it } from '@jest/globals';
import { HEAD_LIMIT_BYTES, HEADER_COUNT_LIMIT } from '../../src/common/http-limits.js';
import { headBytes, requestHeadProblem, type RequestHead } from '../../src/common/http/request-head.js';

const head = (rawHeaders: string[], httpVersion = '1.1'): RequestHead => ({
  method: 'GET',
  url: '/user',
  httpVersion,
  rawHeaders,
});

/** `count` headers `x-N: y…`, each line `lineBytes` long as sent. */
function lines(count: number, lineBytes: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `x-${i}`;
    return [name, 'y'.repeat(lineBytes - name.length - 4)];
  }).flat();
}

const problem = (request: RequestHead) => {
  const exception = requestHeadProblem(request);
  return exception && { status: exception.getStatus(), message: exception.message };
};

describe('headBytes', () => {
  it('should count the head as sent: request line, name: value lines, blank line', () => {
    const sent = 'GET /user HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n';
    expect(headBytes(head(['Host', 'x', 'Accept', '*/*']))).toBe(sent.length);
  });
});

describe('requestHeadProblem', () => {
  it('should pass an ordinary request', () => {
    expect(requestHeadProblem(head(['Host', 'localhost:3000', 'Accept', '*/*']))).toBeUndefined();
  });

  it(`should refuse more than ${HEADER_COUNT_LIMIT} headers with 431`, () => {
    expect(problem(head(['Host', 'x', ...lines(HEADER_COUNT_LIMIT, 8)]))).toEqual({
      status: 431,
      message: `request must have at most ${HEADER_COUNT_LIMIT} header fields`,
    });
    expect(requestHeadProblem(head(['Host', 'x', ...lines(HEADER_COUNT_LIMIT - 1, 8)]))).toBeUndefined();
  });

  it(`should refuse a head over ${HEAD_LIMIT_BYTES} bytes with 431, counting what Node does not`, () => {
    const base = headBytes(head(['Host', 'x']));
    const fits = head(['Host', 'x', ...lines(1, HEAD_LIMIT_BYTES - base)]);
    expect(headBytes(fits)).toBe(HEAD_LIMIT_BYTES);
    expect(requestHeadProblem(fits)).toBeUndefined();
    expect(problem(head(['Host', 'x', ...lines(1, HEAD_LIMIT_BYTES - base + 1)]))).toEqual({
      status: 431,
      message: `request headers must be at most ${HEAD_LIMIT_BYTES} bytes`,
    });
  });

  it.each([
    ['no Host in HTTP/1.1', head(['Accept', '*/*']), 'Host header is required'],
    ['two Host headers', head(['Host', 'a', 'host', 'a']), 'Host header must be sent once'],
    [
      'two Host headers in HTTP/1.0',
      head(['Host', 'a', 'Host', 'b'], '1.0'),
      'Host header must be sent once',
    ],
    [
      'a Host with a space',
      head(['Host', 'a b']),
      'Host header must be a host name or address and an optional port',
    ],
    [
      'a Host with a path',
      head(['Host', 'a/b']),
      'Host header must be a host name or address and an optional port',
    ],
  ])('should refuse %s with 400', (_case, request, message) => {
    expect(problem(request)).toEqual({ status: 400, message });
  });

  it.each([
    ['example.com'],
    ['example.com:8080'],
    ['127.0.0.1:3000'],
    ['[::1]:3000'],
    ['xn--bcher-kva.example'],
  ])('should accept Host %s', (host) => expect(requestHeadProblem(head(['Host', host]))).toBeUndefined());

  it('should accept HTTP/1.0 without Host (RFC 9112 requires it of HTTP/1.1 only)', () => {
    expect(requestHeadProblem(head(['Accept', '*/*'], '1.0'))).toBeUndefined();
  });
});

describe('requestHeadProblem and the HTTP version', () => {
  it.each(['0.9', '2.0'])('should refuse HTTP/%s with 400', (version) => {
    expect(problem(head(['Host', 'x'], version))).toEqual({
      status: 400,
      message: 'request must be well-formed HTTP/1.1',
    });
  });

  it.each(['1.0', '1.1'])('should accept HTTP/%s', (version) => {
    expect(problem(head(['Host', 'x'], version))).toBeUndefined();
  });
});
