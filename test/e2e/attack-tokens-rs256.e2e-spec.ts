// Forged tokens against RS256 keys (for verifiers that speak only RSA).
process.env.LOGIN_RATE_LIMIT = '1000000';
process.env.LOGIN_FAILURE_LIMIT = '1000000';
process.env.JWT_ALGORITHM = 'RS256';

import { describeForgedTokens } from '../support/forged-token-suite.js';

describeForgedTokens('RS256');
