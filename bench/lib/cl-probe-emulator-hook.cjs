// Preloaded into an emulator process of its own (emulator/src/process.ts) by the C/L probe: records, as
// bench/lib/cl-probe.ts's emulatorProbe() does in-process, each request from its 'request' event to its
// response's end, and the event loop's delay; writes them to CL_PROBE_EMULATOR_OUT when stopped (SIGTERM).
const dc = require('node:diagnostics_channel');
const fs = require('node:fs');
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');

const now = () => performance.timeOrigin + performance.now();
const kindOf = (url, method) =>
  url.includes('/actions/reencrypt/') ? 'ReencryptObject' : url.includes('/objectversions') ? 'ListObjectVersions' : `${method || 'GET'} other`;
const served = []; // [start, end, kind] epoch ms
const open = new WeakMap();
const delay = monitorEventLoopDelay({ resolution: 1 });

// The loop's delay from SIGUSR2 (the sweep's start) on: setting up (seeding) is not the sweep. Requests are
// all recorded; the reader keeps those of the sweep by time.
process.on('SIGUSR2', () => {
  delay.reset();
  delay.enable();
});
dc.subscribe('http.server.request.start', ({ request }) => {
  const row = [now(), 0, kindOf(request.url || '', request.method)];
  open.set(request, row);
  served.push(row);
});
dc.subscribe('http.server.response.finish', ({ request }) => {
  const row = open.get(request);
  if (row) row[1] = now();
});
process.on('SIGTERM', () => {
  delay.disable();
  const ms = (ns) => ns / 1e6;
  const eventLoopDelay = { meanMs: ms(delay.mean), p50Ms: ms(delay.percentile(50)), p99Ms: ms(delay.percentile(99)), maxMs: ms(delay.max) };
  if (process.env.CL_PROBE_EMULATOR_OUT) fs.writeFileSync(process.env.CL_PROBE_EMULATOR_OUT, JSON.stringify({ served, eventLoopDelay }));
});
