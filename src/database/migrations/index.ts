import { CreateUsers1764230400000 } from './1764230400000-create-users.js';

/** Every migration, oldest first. They run automatically at start-up. */
export const migrations = [CreateUsers1764230400000];
