// Forged tokens against the tutorial's shared-secret mode, HS256 with JWT_SECRET.
process.env.LOGIN_RATE_LIMIT = '1000000';
process.env.LOGIN_FAILURE_LIMIT = '1000000';
process.env.JWT_ALGORITHM = 'HS256';

import { describeForgedTokens } from '../support/forged-token-suite.js';

describeForgedTokens('HS256');
