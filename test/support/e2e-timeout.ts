// Building an app (and, on PostgreSQL, migrating its fresh database) can pass jest's 5 s on a
// loaded 2-core machine; a hung test still fails, a little later. The project option testTimeout
// did not reach hooks (a beforeAll timed out at 5 s in CI), jest.setTimeout does.
import { jest } from '@jest/globals';

jest.setTimeout(30_000);
