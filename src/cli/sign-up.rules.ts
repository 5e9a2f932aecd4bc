import { validate } from 'class-validator';
import { SignUpDto } from '../users/dto/sign-up.dto.js';

/**
 * The first rule of sign-up (POST /users) that `property` breaks, worded as the API words it
 * ("password must be at least 8 characters"), or undefined. The CLI holds names and passwords to
 * the same DTO rules as the API instead of restating them.
 */
export async function signUpProblem(property: keyof SignUpDto, value: string): Promise<string | undefined> {
  const dto = Object.assign(new SignUpDto(), { [property]: value });
  const errors = await validate(dto, { stopAtFirstError: true, validationError: { value: false } });
  const error = errors.find((candidate) => candidate.property === property);
  return error === undefined ? undefined : Object.values(error.constraints ?? {})[0];
}
