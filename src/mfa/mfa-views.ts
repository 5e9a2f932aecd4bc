import { ApiProperty } from '@nestjs/swagger';

export class MfaStatusView {
  @ApiProperty({ description: 'Whether a TOTP second factor is on (confirmed).' })
  totp!: boolean;

  @ApiProperty({ description: 'Recovery codes not yet used (0 while TOTP is off).', example: 10 })
  recoveryCodesLeft!: number;
}

export class TotpEnrolmentView {
  @ApiProperty({
    description: 'The shared secret, base32 (RFC 4648), for typing into an app by hand.',
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  })
  secret!: string;

  @ApiProperty({ description: 'The `otpauth://totp/...` URI the QR code holds (SHA1, 6 digits, 30 s).' })
  otpauthUrl!: string;

  @ApiProperty({
    description: 'The QR code of otpauthUrl as an SVG document, made here (no third party sees the secret).',
  })
  qrSvg!: string;
}

export class RecoveryCodesView {
  @ApiProperty({
    type: [String],
    description: 'Ten single-use recovery codes. Shown this once only: they are stored hashed.',
    example: ['abcde-fghjk'],
  })
  recoveryCodes!: string[];
}

export class MfaChallengeView {
  @ApiProperty({ enum: [true] })
  mfaRequired!: true;

  @ApiProperty({
    description:
      'Single use, for this user and this password check, for 5 minutes: send it to POST /login/mfa.',
    example: 'pR2v0nq3bXk9yQ3lVdJc1m2r8ZqJwq4c0X1hQm7oTzY',
  })
  mfaToken!: string;

  @ApiProperty({
    enum: ['totp', 'recovery'],
    isArray: true,
    example: ['totp', 'recovery'],
    description:
      'What POST /login/mfa will check: only `recovery` while TOTP codes are locked (MFA_FAILURE_LIMIT).',
  })
  methods!: string[];
}
