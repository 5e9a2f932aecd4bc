import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString, ValidateBy, type ValidationOptions } from 'class-validator';
import { EMAIL_MAX_BYTES, emailAddressProblem } from './email-address.js';

const DESCRIPTION =
  `One bare address (no display name, no list, no line breaks), at most ${EMAIL_MAX_BYTES} bytes; ` +
  'compared case-insensitively.';

function emailRule(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'emailAddress',
      validator: {
        validate: (value: unknown, args) =>
          typeof value === 'string' && emailAddressProblem(value, args?.property) === undefined,
        defaultMessage: (args) =>
          emailAddressProblem(String(args?.value ?? ''), args?.property) ??
          `${args?.property} is not a valid address`,
      },
    },
    options,
  );
}

/** How the OpenAPI document shows a mail address field, required or not. */
const DOCUMENTED = {
  description: DESCRIPTION,
  format: 'email',
  maxLength: EMAIL_MAX_BYTES,
  example: 'alice@example.com',
} as const;

/** A required mail address field (`field` names it in the messages). */
export function IsEmailAddress(field: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty(DOCUMENTED),
    emailRule(),
    IsString({ message: `${field} must be a string` }),
    IsDefined({ message: `${field} is required` }),
  );
}

/** An optional mail address field. */
export function IsOptionalEmailAddress(field: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional(DOCUMENTED),
    emailRule(),
    IsString({ message: `${field} must be a string` }),
    IsOptional(),
  );
}
