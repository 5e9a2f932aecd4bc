// Load generation with autocannon, and a latency recorder finer than autocannon's own.
//
// autocannon records latencies in whole milliseconds, which cannot tell a 0.4 ms p50 from a
// 1.4 ms one. Its 'response' event carries the time as a fractional millisecond from
// process.hrtime, so every response is also counted here in 10 µs buckets.
import autocannon from 'autocannon';

const BUCKET_MS = 0.01;
const BUCKETS = 100_000; // 10 µs .. 1 s; slower responses are kept exactly

export class LatencyRecorder {
  constructor() {
    this.buckets = new Uint32Array(BUCKETS);
    this.slow = [];
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }

  record(ms) {
    this.count++;
    this.sum += ms;
    if (ms > this.max) {
      this.max = ms;
    }
    const bucket = Math.floor(ms / BUCKET_MS);
    if (bucket < BUCKETS) {
      this.buckets[bucket]++;
    } else {
      this.slow.push(ms);
    }
  }

  /** The latency (ms) that `p` percent of the responses did not exceed; upper edge of its bucket. */
  percentile(p) {
    if (this.count === 0) {
      return null;
    }
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.buckets[bucket];
      if (seen >= rank) {
        return Math.min((bucket + 1) * BUCKET_MS, this.max);
      }
    }
    const slow = [...this.slow].sort((a, b) => a - b);
    return slow[rank - seen - 1];
  }

  summary() {
    return {
      count: this.count,
      meanMs: this.count ? this.sum / this.count : null,
      p50Ms: this.percentile(50),
      p90Ms: this.percentile(90),
      p99Ms: this.percentile(99),
      maxMs: this.count ? this.max : null,
    };
  }
}

/**
 * One autocannon run. `running` (a Set) holds the instance while it runs so that Ctrl-C can stop
 * it. Resolves with the figures of the run; `statuses` counts every HTTP status seen. Every
 * latency also goes to `alsoRecord` (a LatencyRecorder) if given: runs side by side can share one
 * for their combined percentiles. With `amount`, the run ends after that many requests instead of
 * after `duration`; `requests` is autocannon's own (a `setupRequest` may change each request).
 */
export function runLoad(
  { url, method = 'GET', headers = {}, body, connections, duration, timeout = 10, amount, requests },
  running,
  { alsoRecord } = {},
) {
  const latency = new LatencyRecorder();
  const errorCodes = {};
  const statuses = {};
  const startedAt = performance.now();
  let lastResponseAt = startedAt;
  const instance = autocannon({
    url,
    method,
    headers,
    body,
    connections,
    timeout,
    // autocannon refuses an undefined duration even when `amount` makes it ignore one.
    ...(amount === undefined ? { duration } : { amount }),
    ...(requests === undefined ? {} : { requests }),
  });
  running.add(instance);
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    lastResponseAt = performance.now();
    latency.record(responseTime);
    alsoRecord?.record(responseTime);
  });
  instance.on('reqError', (error) => {
    const key = error.code ?? error.message;
    errorCodes[key] = (errorCodes[key] ?? 0) + 1;
  });
  return new Promise((resolve, reject) => {
    instance.once('done', (result) => {
      running.delete(instance);
      // With `amount`, autocannon ends at its next one-second tick after the last response and
      // reports that as the duration: a run of 1.1 s would count as 2. Up to the last response, then.
      const seconds = amount === undefined ? result.duration : (lastResponseAt - startedAt) / 1000;
      resolve({
        connections,
        seconds,
        requests: result.requests.total,
        perSecond: result.requests.total / seconds,
        statuses,
        errors: result.errors,
        timeouts: result.timeouts,
        errorCodes,
        latency: latency.summary(),
      });
    });
    instance.once('error', (error) => {
      running.delete(instance);
      reject(error);
    });
  });
}

/**
 * What is wrong with a run for its figure to count: statuses other than `allowed`, socket errors
 * or timeouts, or no response at all. Empty when the run is sound.
 */
export function loadProblems(name, run, allowed) {
  const problems = [];
  const unexpected = Object.entries(run.statuses).filter(([status]) => !allowed.includes(Number(status)));
  if (run.requests === 0) {
    problems.push(`${name}: no response at all`);
  }
  if (unexpected.length > 0) {
    problems.push(
      `${name}: unexpected statuses ${unexpected.map(([status, n]) => `${status} x${n}`).join(', ')} (expected only ${allowed.join('/')})`,
    );
  }
  if (run.errors > 0 || run.timeouts > 0) {
    const codes = Object.entries(run.errorCodes)
      .map(([code, n]) => `${code} x${n}`)
      .join(', ');
    problems.push(
      `${name}: ${run.errors} socket errors, ${run.timeouts} timeouts${codes ? ` (${codes})` : ''}`,
    );
  }
  return problems;
}
