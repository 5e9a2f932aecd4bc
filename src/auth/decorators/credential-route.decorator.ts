import { applyDecorators, Header, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { Public } from '../../common/request-context/public.decorator.js';
import { AddressThrottlerGuard } from '../../throttling/address-throttler.guard.js';

/**
 * A POST that takes or starts a credential before the caller has an access token (login, its
 * second step, the passkey sign-in, refresh): public, limited per address, answered 200 (not
 * Nest's default 201: the tutorial's contract) and never cached, as it carries tokens or a challenge.
 */
export const CredentialRoute = (path: string) =>
  applyDecorators(
    Public(),
    UseGuards(AddressThrottlerGuard),
    Post(path),
    HttpCode(HttpStatus.OK),
    Header('Cache-Control', 'no-store'),
  );
