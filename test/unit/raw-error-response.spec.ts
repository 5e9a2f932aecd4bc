import { describe, expect, it } from '@jest/globals';
import { rawErrorResponse } from '../../src/common/http/raw-error-response.js';

describe('rawErrorResponse', () => {
  const now = new Date('2026-12-02T10:00:00Z');

  it('should write a whole closing answer: status line, given headers, our body', () => {
    const text = rawErrorResponse(
      431,
      'request headers must be at most 16384 bytes',
      [
        ['X-Frame-Options', 'SAMEORIGIN'],
        ['X-Request-Id', 'r-1'],
      ],
      now,
    );
    const body =
      '{"statusCode":431,"error":"Request Header Fields Too Large","message":"request headers must be at most 16384 bytes"}';
    expect(text).toBe(
      'HTTP/1.1 431 Request Header Fields Too Large\r\n' +
        'X-Frame-Options: SAMEORIGIN\r\n' +
        'X-Request-Id: r-1\r\n' +
        'Cache-Control: no-store\r\n' +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${body.length}\r\n` +
        'Date: Wed, 02 Dec 2026 10:00:00 GMT\r\n' +
        'Connection: close\r\n' +
        '\r\n' +
        body,
    );
  });

  it('should count Content-Length in bytes, not characters', () => {
    const text = rawErrorResponse(400, 'naïve', [], now);
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    expect(text).toContain(`Content-Length: ${Buffer.byteLength(body)}\r\n`);
    expect(Buffer.byteLength(body)).toBeGreaterThan(body.length);
  });

  it('should refuse a header that would start another line', () => {
    expect(() => rawErrorResponse(400, 'x', [['X-Request-Id', 'a\r\nSet-Cookie: b']], now)).toThrow(
      'header "X-Request-Id" must not contain a line break',
    );
  });
});
