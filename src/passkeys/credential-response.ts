import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isObject } from '../common/validation/is-object.js';

/** Which ceremony a credential answers: navigator.credentials.create() or .get(). */
export type CeremonyKind = 'registration' | 'authentication';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** What an authenticator may send (a credential id is at most 1023 bytes), with room to spare. */
const LIMITS = {
  id: 1400,
  clientDataJSON: 4096,
  attestationObject: 8192,
  authenticatorData: 4096,
  publicKey: 2048,
  signature: 1024,
  userHandle: 128,
} as const;
const TRANSPORT = /^[a-z-]{1,32}$/;
const MAX_TRANSPORTS = 8;

/** The members each ceremony's `response.response` may have, and which of them are required. */
const INNER: Record<CeremonyKind, { required: string[]; optional: string[] }> = {
  registration: {
    required: ['clientDataJSON', 'attestationObject'],
    optional: ['transports', 'publicKeyAlgorithm', 'publicKey', 'authenticatorData'],
  },
  authentication: {
    required: ['clientDataJSON', 'authenticatorData', 'signature'],
    optional: ['userHandle'],
  },
};
const OUTER = ['id', 'rawId', 'type', 'response', 'authenticatorAttachment', 'clientExtensionResults'];

function base64urlProblem(value: unknown, path: string, max: number): string | undefined {
  if (typeof value !== 'string' || !BASE64URL.test(value)) {
    return `${path} must be a non-empty base64url string`;
  }
  return value.length > max ? `${path} must be at most ${max} characters` : undefined;
}

function unknownMember(value: Record<string, unknown>, allowed: string[], path: string): string | undefined {
  // The unknown member's name is client input: say what is allowed instead of echoing it.
  return Object.keys(value).some((key) => !allowed.includes(key))
    ? `${path} must only have the properties ${allowed.join(', ')}`
    : undefined;
}

/**
 * Why `value` is not the JSON of a WebAuthn credential (what @simplewebauthn/browser's
 * startRegistration() or startAuthentication() returns), or undefined. Every member is checked
 * for its type and bound, and unknown members are refused, so what reaches the verifier has the
 * shape it expects and a malformed body is a 400 naming the member, never a 500.
 */
export function credentialProblem(value: unknown, kind: CeremonyKind, path = 'response'): string | undefined {
  if (!isObject(value)) {
    return `${path} must be an object`;
  }
  const outer = unknownMember(value, OUTER, path);
  if (outer !== undefined) {
    return outer;
  }
  const idProblem =
    base64urlProblem(value.id, `${path}.id`, LIMITS.id) ??
    base64urlProblem(value.rawId, `${path}.rawId`, LIMITS.id);
  if (idProblem !== undefined) {
    return idProblem;
  }
  if (value.rawId !== value.id) {
    return `${path}.rawId must equal ${path}.id`;
  }
  if (value.type !== 'public-key') {
    return `${path}.type must be public-key`;
  }
  if (
    value.authenticatorAttachment !== undefined &&
    value.authenticatorAttachment !== null &&
    value.authenticatorAttachment !== 'platform' &&
    value.authenticatorAttachment !== 'cross-platform'
  ) {
    return `${path}.authenticatorAttachment must be platform or cross-platform`;
  }
  if (value.clientExtensionResults !== undefined && !isObject(value.clientExtensionResults)) {
    return `${path}.clientExtensionResults must be an object`;
  }
  return innerProblem(value.response, kind, `${path}.response`);
}

function innerProblem(value: unknown, kind: CeremonyKind, path: string): string | undefined {
  if (!isObject(value)) {
    return `${path} must be an object`;
  }
  const { required, optional } = INNER[kind];
  const unknown = unknownMember(value, [...required, ...optional], path);
  if (unknown !== undefined) {
    return unknown;
  }
  for (const member of required) {
    const problem = base64urlProblem(
      value[member],
      `${path}.${member}`,
      LIMITS[member as keyof typeof LIMITS],
    );
    if (problem !== undefined) {
      return problem;
    }
  }
  for (const member of ['publicKey', 'authenticatorData', 'userHandle'] as const) {
    if (optional.includes(member) && value[member] !== undefined && value[member] !== null) {
      const problem = base64urlProblem(value[member], `${path}.${member}`, LIMITS[member]);
      if (problem !== undefined) {
        return problem;
      }
    }
  }
  if (value.publicKeyAlgorithm !== undefined && !Number.isSafeInteger(value.publicKeyAlgorithm)) {
    return `${path}.publicKeyAlgorithm must be an integer`;
  }
  const transports = value.transports;
  if (
    transports !== undefined &&
    (!Array.isArray(transports) ||
      transports.length > MAX_TRANSPORTS ||
      !transports.every((transport) => typeof transport === 'string' && TRANSPORT.test(transport)))
  ) {
    return `${path}.transports must be a list of at most ${MAX_TRANSPORTS} transport names`;
  }
  return undefined;
}

/** The class-validator rule for a DTO's `response`: credentialProblem(), its message naming the member. */
export function IsCredentialResponse(kind: CeremonyKind, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'credentialResponse',
      constraints: [kind],
      validator: {
        validate: (value: unknown, args) => credentialProblem(value, kind, args?.property) === undefined,
        defaultMessage: (args) =>
          credentialProblem(args?.value, kind, args?.property) ?? `${args?.property} is malformed`,
      },
    },
    options,
  );
}

/** The OpenAPI schema of the credential JSON a ceremony answers (what credentialProblem() accepts). */
export function credentialSchema(kind: CeremonyKind): Record<string, unknown> {
  const b64 = (maxLength: number, description?: string) => ({
    type: 'string',
    pattern: '^[A-Za-z0-9_-]+$',
    maxLength,
    ...(description === undefined ? {} : { description }),
  });
  // The optional members credentialProblem() lets be null, as browsers' JSON may send them.
  const nullable = (schema: object) => ({ ...schema, nullable: true });
  const inner =
    kind === 'registration'
      ? {
          clientDataJSON: b64(LIMITS.clientDataJSON),
          attestationObject: b64(LIMITS.attestationObject),
          transports: {
            type: 'array',
            maxItems: MAX_TRANSPORTS,
            items: { type: 'string', pattern: TRANSPORT.source, maxLength: 32 },
          },
          publicKeyAlgorithm: { type: 'integer' },
          publicKey: nullable(b64(LIMITS.publicKey)),
          authenticatorData: nullable(b64(LIMITS.authenticatorData)),
        }
      : {
          clientDataJSON: b64(LIMITS.clientDataJSON),
          authenticatorData: b64(LIMITS.authenticatorData),
          signature: b64(LIMITS.signature),
          userHandle: nullable(b64(LIMITS.userHandle)),
        };
  return {
    type: 'object',
    description:
      kind === 'registration'
        ? "What @simplewebauthn/browser's startRegistration() returns (RegistrationResponseJSON)."
        : "What @simplewebauthn/browser's startAuthentication() returns (AuthenticationResponseJSON).",
    additionalProperties: false,
    required: ['id', 'rawId', 'type', 'response'],
    properties: {
      id: b64(LIMITS.id, 'The credential id, base64url.'),
      rawId: b64(LIMITS.id, 'The same as id.'),
      type: { type: 'string', enum: ['public-key'] },
      authenticatorAttachment: { type: 'string', enum: ['platform', 'cross-platform'], nullable: true },
      clientExtensionResults: { type: 'object' },
      response: {
        type: 'object',
        additionalProperties: false,
        required: INNER[kind].required,
        properties: inner,
      },
    },
  };
}
