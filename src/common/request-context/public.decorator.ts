import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';

export const IS_PUBLIC_KEY = 'isPublic';

/**
 * Exempts a route or a whole controller from the global JwtAuthGuard. The OpenAPI document
 * reads the same mark: an empty security requirement, i.e. no credentials (see src/docs).
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiSecurity({}));
