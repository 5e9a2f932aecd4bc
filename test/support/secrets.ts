/**
 * A secret the production checks accept (random: `openssl rand -base64 48`), for tests that run
 * the service or the schema with NODE_ENV=production. Published here, so for tests only.
 */
export const PRODUCTION_SECRET = '4Dc7Aw21t9lL/yB+ogsF6UjDqi1QojUrTQrzPBIxcnEA6TjIOzc3sDb774pgWmk5';
