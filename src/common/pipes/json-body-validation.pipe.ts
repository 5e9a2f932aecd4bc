import {
  BadRequestException,
  Injectable,
  UnsupportedMediaTypeException,
  ValidationPipe,
  type ArgumentMetadata,
  type ValidationError,
} from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { isWellFormed } from '../validation/text.js';
import { isObject } from '../validation/is-object.js';

/**
 * The global validation pipe. On top of class-validator's rules it answers a missing body with
 * 415 (nothing was sent as JSON) and a body that is not an object with 400, and words every
 * message as "<field> <rule>" without quoting what the client sent.
 */
@Injectable()
export class JsonBodyValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
      // The DTO instance is how describe() finds the documented properties; it is never sent.
      validationError: { target: true, value: false },
      // Thrown to transform() below, which knows whether a body or a query string failed.
      exceptionFactory: (errors) => new InvalidInput(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      if (value === undefined) {
        // Fastify parsed nothing: no body and no Content-Type was sent. Never read as `{}`, not
        // even for a body whose every field is optional: a body-less POST is a "simple request"
        // another origin can send without a preflight (POST /refresh would spend the cookie).
        throw new UnsupportedMediaTypeException('Content-Type must be application/json');
      }
      if (!isObject(value)) {
        throw new BadRequestException('request body must be a JSON object');
      }
      if (exceedsDepth(value, MAX_BODY_DEPTH)) {
        // class-transformer recurses into every level: thousands of them overflow the stack.
        throw new BadRequestException(`request body must not nest deeper than ${MAX_BODY_DEPTH} levels`);
      }
      const illFormed = Object.entries(value).find(
        ([key, field]) => !isWellFormed(key) || !wellFormedDeep(field),
      );
      if (illFormed !== undefined) {
        // JSON's "\ud800" escapes make strings UTF-8 cannot hold: stored, they would come back
        // changed (U+FFFD), and distinct passwords would hash alike. The field is named only
        // when it is one of the body's own: an unknown key is client input.
        const known =
          metadata.metatype !== undefined && documentedFields(metadata.metatype).includes(illFormed[0]);
        throw new BadRequestException(
          `${known ? illFormed[0] : 'request body'} must be well-formed Unicode (no unpaired surrogates)`,
        );
      }
      const sentNull = Object.keys(value).filter((key) => value[key] === null);
      if (sentNull.length > 0 && metadata.metatype !== undefined) {
        // class-validator's IsOptional() lets null through as if the field were left out, and the
        // services take it as a value (a 500 from a NOT NULL column, half a change written). A
        // field that is null is refused unless its schema says nullable, whatever its rules.
        // (An unknown key is left to the whitelist's message below, which does not echo it.)
        const documented = documentedFields(metadata.metatype);
        const nulls = sentNull.filter(
          (field) => documented.includes(field) && !isNullable(metadata.metatype!, field),
        );
        if (nulls.length > 0) {
          throw new BadRequestException(nulls.map((field) => `${field} must not be null`).join('; '));
        }
      }
    }
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof InvalidInput) {
        throw new BadRequestException(
          describe(error.errors, metadata.type === 'query' ? 'query string' : 'request body'),
        );
      }
      throw error;
    }
  }
}

/** No body of this API nests at all; this leaves room and bounds class-transformer's recursion. */
const MAX_BODY_DEPTH = 8;

/** Whether `value` nests objects or arrays deeper than `max`, measured without recursion. */
function exceedsDepth(value: object, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current === 'object' && current !== null) {
      if (depth > max) {
        return true;
      }
      for (const child of Object.values(current)) {
        pending.push([child, depth + 1]);
      }
    }
  }
  return false;
}

class InvalidInput extends Error {
  constructor(readonly errors: ValidationError[]) {
    super('invalid input');
  }
}

function describe(errors: ValidationError[], where: string): string {
  const messages: string[] = [];
  let unexpected: object | undefined;
  for (const error of errors) {
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      if (rule === 'whitelistValidation') {
        // The property's name is client input: say what is allowed instead of echoing it.
        unexpected = error.target;
      } else {
        messages.push(message);
      }
    }
  }
  if (unexpected !== undefined) {
    messages.push(
      `${where} must only have the ${where === 'query string' ? 'parameters' : 'properties'} ${documentedProperties(unexpected).join(', ')}`,
    );
  }
  return messages.join('; ');
}

function documentedProperties(target: object): string[] {
  return documentedFields(target.constructor);
}

/** The properties class-validator has rules for on `type` (a DTO class). */
function documentedFields(type: object): string[] {
  const rules = getMetadataStorage().getTargetValidationMetadatas(
    type as Parameters<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[0],
    '',
    true,
    false,
  );
  return [...new Set(rules.map((rule) => rule.propertyName))];
}

/**
 * Whether the OpenAPI schema of `type`'s `field` says `nullable: true` (@ApiProperty's metadata,
 * under @nestjs/swagger's DECORATORS.API_MODEL_PROPERTIES key, which the package does not export):
 * the document and the pipe then agree by construction.
 */
function isNullable(type: object, field: string): boolean {
  const prototype = (type as { prototype?: object }).prototype;
  const property =
    prototype === undefined
      ? undefined
      : (Reflect.getMetadata('swagger/apiModelProperties', prototype, field) as
          { nullable?: boolean } | undefined);
  return property?.nullable === true;
}

/** Whether every string in `value`, keys included, at any depth, is well-formed Unicode. */
function wellFormedDeep(value: unknown): boolean {
  if (typeof value === 'string') {
    return isWellFormed(value);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).every(([key, child]) => isWellFormed(key) && wellFormedDeep(child));
  }
  return true;
}
