import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ID_MAX } from '../validation/limits.js';

/** Database ids: positive integers, written without sign, leading zeros or exponent. */
const ID = /^[1-9][0-9]{0,9}$/;

/**
 * Accepts a route parameter that is a user id. Nest's ParseIntPipe would take "1e3" and " 7"
 * and answer in its own words; this one names the parameter.
 */
@Injectable()
export class IdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, { data }: ArgumentMetadata): number {
    const name = data ?? 'value';
    if (typeof value !== 'string' || !/^[1-9][0-9]*$/.test(value)) {
      throw new BadRequestException(`${name} must be a positive integer`);
    }
    // As the document says (maximum): past it PostgreSQL would refuse the query with an error.
    if (!ID.test(value) || Number(value) > ID_MAX) {
      throw new BadRequestException(`${name} must be at most ${ID_MAX}`);
    }
    return Number(value);
  }
}
