import { describe, expect, it } from '@jest/globals';
import { HEAD_LIMIT_BYTES } from '../../src/common/http-limits.js';
import { parserRefusal } from '../../src/common/http/parser-refusal.js';

describe('parserRefusal', () => {
  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request must arrive within 15 seconds'],
    ['HPE_HEADER_OVERFLOW', 431, `request headers must be at most ${HEAD_LIMIT_BYTES} bytes`],
    ['HPE_INVALID_METHOD', 400, 'request must be well-formed HTTP/1.1'],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 400, 'request must be well-formed HTTP/1.1'],
    [undefined, 400, 'request must be well-formed HTTP/1.1'],
  ])('should answer %s with %i', (code, statusCode, message) => {
    expect(parserRefusal(code, 15)).toEqual({ statusCode, message });
  });
});
