'use strict';
// The load generator, in its own process (pinned to its own core by run.js): autocannon against
// one bench server. Driven over IPC so the parent can read the server's counters between the
// warmup and the measured run.
//   parent -> { type: 'tokens', key, tokens }   (once per set of tokens)
//   parent -> { type: 'run', phase: 'warmup' | 'measure' | 'profile', url, connections, seconds, tokensKey, recordAs? }
//   child  -> { type: 'done', phase, result }
//   parent -> { type: 'latencies', key }          (p50/p99/max of every run recorded as `key` since; then forgotten)
//   child  -> { type: 'latencies', result }
const autocannon = require('autocannon');

/** Percentile (0-100) of an ascending Float64Array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** Growable store of response times; autocannon's own histogram keeps whole milliseconds only. */
class LatencyRecorder {
  constructor() {
    this.values = new Float64Array(1 << 20);
    this.length = 0;
  }
  record(ms) {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = ms;
  }
  sorted() {
    return this.values.slice(0, this.length).sort();
  }
}

/** Requests per set of tokens, and latencies per row (a row's slices of a round add up). */
const requestSets = new Map();
const recorders = new Map();

function run({ phase, url, connections, seconds, tokensKey, recordAs }) {
  const requests = requestSets.get(tokensKey);
  if (!requests) return Promise.reject(new Error(`no tokens sent for ${tokensKey}`));
  if (recordAs !== undefined && !recorders.has(recordAs)) recorders.set(recordAs, new LatencyRecorder());
  const latencies = recorders.get(recordAs) ?? { record() {} };
  // Each connection cycles through its own share of the users, so together they cover all of them
  // at once; a connection given all the tokens would build that many requests at the start of
  // every run (0.3-0.7 s for 10 x 1,000, inside the measured time).
  const shares = sharesOf(requests, connections);
  let clients = 0;
  const setupClient = (client) => client.setRequests(shares[clients++ % connections]);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    // sampleInt: autocannon stops at its first sample tick past the duration (1 s by default): slices are short.
    const instance = autocannon({ url, connections, duration: seconds, sampleInt: 100, requests: shares[0], setupClient }, (error, result) => {
      if (error) return reject(error);
      const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({
        phase,
        seconds: result.duration ?? elapsedSeconds,
        requests: result.requests.total,
        ok: result['2xx'],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        rps: result['2xx'] / (result.duration ?? elapsedSeconds),
      });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.record(responseTime);
    });
  });
}

/** `requests` cut into `count` contiguous shares (none empty when there are at least `count`). */
function sharesOf(requests, count) {
  return Array.from({ length: count }, (_, i) => {
    const share = requests.slice(Math.floor((i * requests.length) / count), Math.floor(((i + 1) * requests.length) / count));
    return share.length > 0 ? share : requests;
  });
}

function percentiles(key) {
  const sorted = recorders.get(key)?.sorted() ?? new Float64Array(0);
  recorders.delete(key);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

process.on('message', (message) => {
  if (message.type === 'tokens') {
    requestSets.set(
      message.key,
      message.tokens.map((token) => ({ method: 'GET', headers: { authorization: `Bearer ${token}` } })),
    );
    return;
  }
  if (message.type === 'latencies') {
    process.send({ type: 'latencies', result: percentiles(message.key) });
    return;
  }
  if (message.type === 'run') {
    run(message)
      .then((result) => process.send({ type: 'done', phase: message.phase, result }))
      .catch((error) => process.send({ type: 'failed', phase: message.phase, error: String(error && error.stack) }));
  }
});
process.on('disconnect', () => process.exit(0));
