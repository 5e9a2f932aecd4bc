import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { HttpErrorFilter } from './filters/http-error.filter.js';
import { NoBodyInterceptor } from './interceptors/no-body.interceptor.js';
import { JsonBodyValidationPipe } from './pipes/json-body-validation.pipe.js';

/** The enhancers every route shares, as APP_* providers so test apps get them too. */
@Module({
  providers: [
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_PIPE, useClass: JsonBodyValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: NoBodyInterceptor },
  ],
})
export class CommonModule {}
