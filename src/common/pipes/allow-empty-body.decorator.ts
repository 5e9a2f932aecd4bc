import { SetMetadata } from '@nestjs/common';

export const ALLOW_EMPTY_BODY_KEY = 'allowEmptyBody';

/**
 * Marks a body DTO whose every property is optional: a request with no body at all is read as
 * `{}` instead of being refused with 415.
 */
export const AllowEmptyBody = () => SetMetadata(ALLOW_EMPTY_BODY_KEY, true);
