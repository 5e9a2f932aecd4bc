import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsOptional } from 'class-validator';
import { ROLES } from '../../common/request-context/role.js';

/** An optional set of roles: a non-empty array of known role names. */
export const IsRoles = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'array',
      items: { type: 'string', enum: [...ROLES] },
      minItems: 1,
      maxItems: ROLES.length,
      uniqueItems: true,
      description: "The account's roles: `admin` may use the admin API. Replaces the current set.",
      example: ['user'],
    }),
    // Checked in this order, the first failure answered.
    IsOptional(),
    IsArray({ message: 'roles must be an array' }),
    ArrayNotEmpty({ message: 'roles must not be empty' }),
    ArrayMaxSize(ROLES.length, { message: `roles must have at most ${ROLES.length} items` }),
    IsIn(ROLES, { each: true, message: `roles must hold only ${ROLES.join(', ')}` }),
    // The document says uniqueItems: ["user","user"] is refused, not quietly read as ["user"].
    ArrayUnique({ message: 'roles must not repeat a role' }),
  );
