// Preloaded into the function process by bench/cl-probe.ts (a diagnostic, never in the image):
// records, without touching the bundle, when each RSA signature starts and ends (crypto.sign with a
// callback runs in libuv's threadpool), when each HTTP request starts, gets its headers and ends
// (diagnostics_channel), and the event loop's delay; writes them to CL_PROBE_OUT when stopped (SIGTERM).
const crypto = require('node:crypto');
const dc = require('node:diagnostics_channel');
const fs = require('node:fs');
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');

const now = () => performance.timeOrigin + performance.now();
const signs = []; // [start, end] epoch ms
const requests = []; // [start, headers, end, kind]
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();

const sign = crypto.sign;
crypto.sign = function probedSign(algorithm, data, key, callback) {
  if (typeof callback !== 'function') return sign.call(this, algorithm, data, key);
  const row = [now(), 0];
  signs.push(row);
  return sign.call(this, algorithm, data, key, (err, signature) => {
    row[1] = now();
    callback(err, signature);
  });
};

/** What an Object Storage request is, from its method and path (enough to tell listings from re-encryptions). */
function kindOf(method, path) {
  if (path.includes('/actions/reencrypt/')) return 'ReencryptObject';
  if (path.includes('/objectversions')) return 'ListObjectVersions';
  if (/\/o(\?|$)/.test(path)) return 'ListObjects';
  return `${method} other`;
}

let socketsOpened = 0;
dc.subscribe('net.client.socket', () => { socketsOpened += 1; });
const rows = new WeakMap();
dc.subscribe('http.client.request.start', ({ request }) => {
  const row = [now(), 0, 0, kindOf(request.method, request.path)];
  rows.set(request, row);
  requests.push(row);
});
dc.subscribe('http.client.response.finish', ({ request, response }) => {
  const row = rows.get(request);
  if (!row) return;
  row[1] = now();
  response.once('end', () => { row[2] = now(); });
});

// Requests on the function's own HTTP/1.1 connections (src/oci/http-client.ts), which node:http never
// sees: the response is read whole before the finish message, so its headers and end are one instant.
const wireRows = new WeakMap();
dc.subscribe('oci-reencrypt:wire.request.start', (message) => {
  const row = [now(), 0, 0, kindOf(message.method, message.target)];
  wireRows.set(message, row);
  requests.push(row);
});
dc.subscribe('oci-reencrypt:wire.request.finish', (message) => {
  const row = wireRows.get(message.start);
  if (!row) return;
  row[1] = now();
  row[2] = row[1];
});

process.on('SIGTERM', () => {
  delay.disable();
  const ms = (ns) => ns / 1e6;
  const eventLoopDelay = {
    meanMs: ms(delay.mean), p50Ms: ms(delay.percentile(50)), p90Ms: ms(delay.percentile(90)), p99Ms: ms(delay.percentile(99)), maxMs: ms(delay.max),
  };
  if (process.env.CL_PROBE_OUT) fs.writeFileSync(process.env.CL_PROBE_OUT, JSON.stringify({ signs, requests, eventLoopDelay, socketsOpened }));
  // Listening for SIGTERM removes its default action: exit as it would, unless the function listens too.
  if (process.listenerCount('SIGTERM') === 1) process.exit(0);
});
