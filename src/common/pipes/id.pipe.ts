import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

/** Database ids: positive integers, written without sign, leading zeros or exponent. */
const ID = /^[1-9][0-9]{0,15}$/;

/**
 * Accepts a route parameter that is a user id. Nest's ParseIntPipe would take "1e3" and " 7"
 * and answer in its own words; this one names the parameter.
 */
@Injectable()
export class IdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, { data }: ArgumentMetadata): number {
    if (typeof value !== 'string' || !ID.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new BadRequestException(`${data ?? 'value'} must be a positive integer`);
    }
    return Number(value);
  }
}
