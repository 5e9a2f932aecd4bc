import { ApiProperty } from '@nestjs/swagger';
import type { PasskeyEntity } from './passkey.entity.js';

/** What the API shows of a passkey: never its public key, credential id or counter. */
export class PasskeyView {
  @ApiProperty({ format: 'uuid', description: 'For DELETE /user/passkeys/{id}.' })
  id!: string;

  @ApiProperty({ example: 'Laptop' })
  name!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The last sign-in with it.',
  })
  lastUsedAt!: string | null;

  @ApiProperty({
    type: [String],
    example: ['internal', 'hybrid'],
    description: 'As the browser reported them.',
  })
  transports!: string[];
}

export function toPasskeyView(passkey: PasskeyEntity): PasskeyView {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    transports: passkey.transports === '' ? [] : passkey.transports.split(','),
  };
}

/** A ceremony's options and the id of its challenge, sent back with the browser's answer. */
export class PasskeyOptionsView {
  @ApiProperty({
    description: 'Single use, for 5 minutes: send it back with the answer.',
    example: 'pR2v0nq3bXk9yQ3lVdJc1m2r8ZqJwq4c0X1hQm7oTzY',
  })
  challengeId!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      "WebAuthn's options as JSON (PublicKeyCredentialCreationOptionsJSON or ...RequestOptionsJSON): " +
      "hand them to @simplewebauthn/browser's startRegistration({ optionsJSON }) or startAuthentication({ optionsJSON }).",
  })
  options!: Record<string, unknown>;
}
