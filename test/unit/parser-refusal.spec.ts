import { describe, expect, it } from '@jest/globals';
import { HEAD_LIMIT_BYTES } from '../../src/common/http-limits.js';
import { parserRefusal, routerRefusal } from '../../src/common/http/parser-refusal.js';

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

describe('routerRefusal', () => {
  it.each([
    ['FST_ERR_BAD_URL', 400, 'request URL is malformed'],
    ['FST_ERR_MAX_PARAM_LENGTH', 414, 'request URL path segments must be at most 100 characters'],
    ['FST_ERR_ASYNC_CONSTRAINT', 500, 'internal server error'],
    [undefined, 400, 'request URL is malformed'],
  ])('should answer %s with %i', (code, statusCode, message) => {
    expect(routerRefusal(code)).toEqual({ statusCode, message });
  });
});
