import { SetMetadata } from '@nestjs/common';

export const LOGIN_ROUTE = 'throttling:login-route';

/**
 * Marks a route as a step of a sign-in, so that AddressThrottlerGuard counts each attempt it
 * refuses as a login refused (`auth_logins_total{outcome="throttled"}`), as AuthService counts
 * the refusals that reach it: the metric then holds every refused login, whichever check refused it.
 */
export const LoginRoute = () => SetMetadata(LOGIN_ROUTE, true);
