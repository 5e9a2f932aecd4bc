// The notes under the targets: whether the load generator may have limited a figure, and how
// busy the machine was during each (other processes' CPU, the hypervisor's steal).
import { num } from '../lib/format.mjs';
import { NOISY_PERCENT } from '../lib/settings.mjs';

/** The notes of the results `r` of a run. */
export function notesFor(r) {
  const notes = [];
  const c = r.peers.ceiling?.getUser;
  const wrkCeiling = (r.hotPath?.rounds ?? []).map((round) => round.ceiling).filter(Boolean);
  const wrkBusy = wrkCeiling.filter((run) => run.generatorCpuPercent >= 90);
  if (wrkBusy.length > 0) {
    notes.push(
      `wrk used ${wrkBusy.map((run) => `${num(run.generatorCpuPercent)}%`).join(', ')} of its CPU during (8)'s ceiling run(s): ` +
        'the generator may be what limits them, and the service/ceiling ratio is then flattering.',
    );
  }
  if (c && c.clientCpuPercent >= 90) {
    notes.push(
      `The load generator used ${num(c.clientCpuPercent)}% of its CPU during the ceiling run while the ceiling used ${num(c.serverCpuPercent)}% of its own: ` +
        'one autocannon process may be what limits the ceiling figure, which is then a lower bound (and the service/ceiling ratio flattering).',
    );
  }
  const noise = [
    ...(r.argon2?.runs ?? []).map((run, i) => [`bare argon2 (run ${i + 1})`, run.otherCpuPercent]),
    ['service GET /user', r.service?.getUser?.otherCpuPercent],
    ['service POST /login', r.service?.login?.otherCpuPercent],
    ['isolation', r.service?.isolation?.otherCpuPercent],
    [`${r.scaleOut?.label} GET /user, one instance`, r.scaleOut?.single?.getUser?.otherCpuPercent],
    [`${r.scaleOut?.label} GET /user, two instances`, r.scaleOut?.pair?.getUser?.otherCpuPercent],
    ['ceiling GET /user', r.peers.ceiling?.getUser?.otherCpuPercent],
    ['FastAPI GET /user', r.peers.fastapi?.getUser?.otherCpuPercent],
    ['Fastify floor GET /user', r.peers.fastifyFloor?.getUser?.otherCpuPercent],
    ['NestJS floor GET /user', r.peers.nestFloor?.getUser?.otherCpuPercent],
    ...(r.service?.coldStart?.starts ?? []).map((start, i) => [`cold start ${i + 1}`, start.otherCpuPercent]),
    ...(r.hotPath?.rounds ?? []).flatMap((round, i) =>
      Object.entries(round).map(([variant, f]) => [`(8) round ${i + 1} ${variant}`, f.otherCpuPercent]),
    ),
    ['(7) bare sign and verify', r.algorithms?.bare?.otherCpuPercent],
    ...(r.algorithms?.rounds ?? []).flatMap((round, i) =>
      Object.entries(round.figures).flatMap(([algorithm, f]) => [
        [`(7) round ${i + 1} ${algorithm} GET /user`, f.getUser.otherCpuPercent],
        [`(7) round ${i + 1} ${algorithm} new tokens`, f.newTokens.otherCpuPercent],
        [`(7) round ${i + 1} ${algorithm} POST /login`, f.login.otherCpuPercent],
      ]),
    ),
  ].filter(([, value]) => value !== undefined && value !== null);
  const noisy = noise.filter(([, value]) => value >= NOISY_PERCENT);
  notes.push(
    noisy.length === 0
      ? `The machine was quiet: other processes used under ${NOISY_PERCENT}% of a CPU during every figure.`
      : `The machine was not quiet: other processes used ${noisy.map(([name, value]) => `${num(value)}% of a CPU during ${name}`).join(', ')}; those figures are pessimistic.`,
  );
  const steal = (r.hotPath?.rounds ?? []).flatMap((round, i) =>
    Object.entries(round)
      .filter(([, f]) => (f.stealCpuPercent ?? 0) >= NOISY_PERCENT)
      .map(([variant, f]) => `${num(f.stealCpuPercent)}% during (8) round ${i + 1} ${variant}`),
  );
  if (steal.length > 0) {
    notes.push(
      `The hypervisor took CPU time from this VM (steal, which no process here sees): ${steal.join(', ')}; those figures are pessimistic, and ratios within a round only partly cancel it.`,
    );
  }
  if (r.peers.fastapi?.getUser || r.peers.ceiling?.getUser) {
    notes.push(
      'The peers and floors log nothing per request (the FastAPI app runs with --log-level warning, the others have no logger); the service writes its production JSON request log.',
    );
  }
  return notes;
}
