import { deriveSealingKey } from '../common/crypto/sealing.js';

/** The HMAC key SessionsService derives each refresh token's one successor with. */
export const REFRESH_SUCCESSOR_KEY = Symbol('REFRESH_SUCCESSOR_KEY');

export const deriveRefreshSuccessorKey = (secret: Buffer): Buffer =>
  deriveSealingKey(secret, 'nest-jwt-auth refresh-token successor v1');
