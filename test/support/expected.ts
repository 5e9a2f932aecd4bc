/** Every error body the API sends has this shape; tests compare against these builders. */
export const errorBody = (statusCode: number, error: string, message: string) => ({
  statusCode,
  error,
  message,
});

export const INVALID_CREDENTIALS_BODY = errorBody(400, 'Bad Request', 'invalid name or password');

export const UNSUPPORTED_MEDIA_TYPE_BODY = errorBody(
  415,
  'Unsupported Media Type',
  'Content-Type must be application/json',
);
