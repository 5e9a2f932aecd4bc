/** The roles an account can have. `admin` may use the admin API; everyone else is a `user`. */
export const ROLES = ['admin', 'user'] as const;

export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);
