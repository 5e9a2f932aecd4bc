// PasswordHasher's worker (password-hasher.service.ts): runs argon2 on a thread of its own, one
// hash at a time, at a lower CPU priority than the event loop. Plain JavaScript, not TypeScript,
// because worker threads load it straight from disk: from dist/ (copied there as an asset) in
// production, from src/ under the tests.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';

// A verify competing as an equal with the event loop would delay every cheap request queued behind
// it. Linux gives each thread its own nice value: setpriority() with this thread's id renices it alone.
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').at(-1)), workerData.nice);
} catch {
  // not Linux, or no procfs: hashing runs at normal priority
}

/** @param {{ op: 'hash', password: string, options: object } | { op: 'verify', hash: string, password: string }} task */
export default function argon2(task) {
  return task.op === 'hash' ? hashSync(task.password, task.options) : verifySync(task.hash, task.password);
}
