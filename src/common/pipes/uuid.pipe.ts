import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

/**
 * An RFC 9562 UUID: versions 1 to 8 with the RFC variant (`10xx`), or the Nil or Max UUID.
 * Session ids are version 4 today (randomUUID); a later version 7 must not need a new pipe.
 */
const UUID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/i;

/**
 * Accepts a route or query parameter that is a UUID, in the canonical lower case the service
 * stores (RFC 9562 reads either case). Nest's ParseUUIDPipe would answer in its own words
 * ("Validation failed (uuid v 4 is expected)"); this one names the parameter.
 */
@Injectable()
export class UuidPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, { data }: ArgumentMetadata): string {
    if (typeof value !== 'string' || !UUID.test(value)) {
      throw new BadRequestException(`${data ?? 'value'} must be a UUID`);
    }
    return value.toLowerCase();
  }
}
