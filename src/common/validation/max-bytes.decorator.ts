import { applyDecorators } from '@nestjs/common';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { ValidateBy, type ValidationOptions } from 'class-validator';

/** The OpenAPI schema keyword that states a byte limit: JSON Schema's maxLength counts characters. */
export const MAX_BYTES_KEYWORD = 'x-maxBytes';

/**
 * Limits a string's UTF-8 size: argon2 hashes bytes, and a character can be four of them. States
 * the limit in the OpenAPI schema too (`x-maxBytes`), so a property cannot enforce it unsaid.
 */
export function MaxBytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ [MAX_BYTES_KEYWORD]: max } as ApiPropertyOptions),
    maxBytesRule(max, options),
  );
}

function maxBytesRule(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxBytes',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && Buffer.byteLength(value, 'utf8') <= max,
        // A number or an object fails this rule too: say what is wrong with it, not its size.
        defaultMessage: (args) =>
          typeof args?.value === 'string'
            ? `${args.property} must be at most ${max} bytes`
            : `${args?.property ?? 'value'} must be a string`,
      },
    },
    options,
  );
}
