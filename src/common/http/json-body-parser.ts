import { isUtf8 } from 'node:buffer';
import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

/**
 * Fastify's own JSON parser (prototype-poisoning checks kept) behind a UTF-8 check. Decoding
 * bytes that are not UTF-8 would turn each bad sequence into U+FFFD without a word, so two
 * different passwords could arrive as one and a name could be stored other than it was sent:
 * such a body is refused instead, as a lone surrogate in a JSON string is (JsonBodyValidationPipe).
 */
export function useStrictJsonParser(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if (!isUtf8(body as Buffer)) {
      done(new BadRequestException('request body must be UTF-8'), undefined);
      return;
    }
    // Fastify's parser is the callback kind: it answers through done.
    void parseJson(request, (body as Buffer).toString('utf8'), done);
  });
}
