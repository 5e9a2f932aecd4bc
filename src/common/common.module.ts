import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { HttpErrorFilter } from './filters/http-error.filter.js';
import { JsonBodyValidationPipe } from './pipes/json-body-validation.pipe.js';

/**
 * The enhancers every route shares, as APP_* providers so test apps get them too; the body check
 * of routes that read none (NoBodyGuard) is a global guard, registered after the auth guards.
 */
@Module({
  providers: [
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_PIPE, useClass: JsonBodyValidationPipe },
  ],
})
export class CommonModule {}
