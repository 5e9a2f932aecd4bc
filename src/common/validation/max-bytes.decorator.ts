import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Limits a string's UTF-8 size: argon2 hashes bytes, and a character can be four of them. */
export function MaxBytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxBytes',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && Buffer.byteLength(value, 'utf8') <= max,
        defaultMessage: (args) => `${args?.property ?? 'value'} must be at most ${max} bytes`,
      },
    },
    options,
  );
}
