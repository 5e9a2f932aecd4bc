import { BadRequestException, HttpException } from '@nestjs/common';
import { HEAD_LIMIT_BYTES, HEADER_COUNT_LIMIT } from '../http-limits.js';

/** What of a parsed request (Node's IncomingMessage) its head is judged by. */
export interface RequestHead {
  method?: string;
  url?: string;
  httpVersion: string;
  /** Names and values as received, alternating. */
  rawHeaders: readonly string[];
}

/** RFC 9110 §7.2's Host: uri-host (an IP literal or a reg-name) and an optional port. */
const HOST = /^(?:\[[\dA-Fa-f:.]+\]|[\w.~!$&'()*+,;=%-]*)(?::\d*)?$/;

const tooLarge = (message: string) => new HttpException(message, 431);

/**
 * Why a request's head is refused, what Node's parser lets through: the parser counts only the
 * bytes of header names and values (4,000 headers `a: b` pass its 16 KiB), keeps the first
 * maxHeadersCount headers and drops the rest unseen (a second Authorization among them), and
 * with `requireHostHeader` answers a missing Host itself, with an empty body.
 *
 * Too many headers is a 431, not a 400: RFC 6585 §5 names "the set of request header fields in
 * total is too large" among its cases. Host follows RFC 9112 §3.2: an HTTP/1.1 request without
 * it, with two, or with an invalid value is a 400.
 */
export function requestHeadProblem(head: RequestHead): HttpException | undefined {
  const { rawHeaders } = head;
  if (rawHeaders.length / 2 > HEADER_COUNT_LIMIT) {
    return tooLarge(`request must have at most ${HEADER_COUNT_LIMIT} header fields`);
  }
  if (headBytes(head) > HEAD_LIMIT_BYTES) {
    return tooLarge(`request headers must be at most ${HEAD_LIMIT_BYTES} bytes`);
  }
  // Node parses a request line without a version as HTTP/0.9 and would serve it.
  if (head.httpVersion !== '1.1' && head.httpVersion !== '1.0') {
    return new BadRequestException('request must be well-formed HTTP/1.1');
  }
  // Every request takes this: no array, and a name is lower-cased only when it could be Host.
  let hosts = 0;
  let host = '';
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length === 4 && rawHeaders[i].toLowerCase() === 'host') {
      hosts += 1;
      host = rawHeaders[i + 1];
    }
  }
  if (hosts > 1) {
    return new BadRequestException('Host header must be sent once');
  }
  if (hosts === 0 && head.httpVersion === '1.1') {
    return new BadRequestException('Host header is required');
  }
  if (hosts === 1 && !HOST.test(host)) {
    return new BadRequestException('Host header must be a host name or address and an optional port');
  }
  return undefined;
}

/**
 * The size of the head as sent, at least: the request line, each `name: value` line and the
 * blank line. Node reads headers as latin1, one character per byte. Whitespace around values,
 * which Node drops, is not counted.
 */
export function headBytes(head: RequestHead): number {
  let bytes = requestLineBytes(head);
  for (let i = 0; i < head.rawHeaders.length; i += 2) {
    bytes += head.rawHeaders[i].length + 2 + (head.rawHeaders[i + 1]?.length ?? 0) + 2;
  }
  return bytes;
}

/** `METHOD url HTTP/x.y` and its CRLF, and the blank line that ends the head. */
function requestLineBytes({ method = '', url = '', httpVersion }: RequestHead): number {
  return method.length + 1 + url.length + ' HTTP/'.length + httpVersion.length + 4;
}
