import { STATUS_CODES } from 'node:http';
import { ApiProperty } from '@nestjs/swagger';

/** The one shape of every error body (HttpErrorFilter writes it). */
export class ErrorBody {
  @ApiProperty({ type: 'integer', description: 'The HTTP status code, repeated.', example: 400 })
  statusCode!: number;

  @ApiProperty({ description: "The status code's reason phrase.", example: 'Bad Request' })
  error!: string;

  @ApiProperty({
    description: 'What was wrong, naming the field and the rule; never the input.',
    example: 'password is required',
  })
  message!: string;
}

/** The body for `statusCode`, its reason phrase filled in: every place that answers an error uses it. */
export const errorBody = (statusCode: number, message: string): ErrorBody => ({
  statusCode,
  error: STATUS_CODES[statusCode] ?? 'Error',
  message,
});
