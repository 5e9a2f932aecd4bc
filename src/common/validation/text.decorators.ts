import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { accountNameProblem, NAME_PATTERN } from './account-name.js';
import { charLength } from './text.js';

/** At most `max` characters, counted as everywhere else in the service (charLength: code points). */
export function MaxChars(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxChars',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && charLength(value) <= max,
        defaultMessage: (args) => `${args?.property ?? 'value'} must be at most ${max} characters`,
      },
    },
    options,
  );
}

/** At least `min` characters, counted by charLength (code points). */
export function MinChars(min: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'minChars',
      constraints: [min],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && charLength(value) >= min,
        defaultMessage: (args) => `${args?.property ?? 'value'} must be at least ${min} characters`,
      },
    },
    options,
  );
}

/**
 * The name policy (account-name.ts), for a name an account is given; the message names the rule.
 * States the policy's pattern in the OpenAPI schema too.
 */
export function IsAccountName(options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(ApiProperty({ pattern: NAME_PATTERN }), accountNameRule(options));
}

function accountNameRule(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'accountName',
      validator: {
        validate: (value: unknown, args) =>
          typeof value === 'string' && accountNameProblem(value, args?.property) === undefined,
        defaultMessage: (args) =>
          accountNameProblem(String(args?.value ?? ''), args?.property) ??
          `${args?.property} is not a valid name`,
      },
    },
    options,
  );
}
