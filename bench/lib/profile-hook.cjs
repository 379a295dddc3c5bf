// Preloaded by bench/profile.ts: CPU-profiles the function process and writes the profile when it is stopped (SIGTERM).
const inspector = require('node:inspector');
const fs = require('node:fs');
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: Number(process.env.PROF_INTERVAL_US || 200) });
session.post('Profiler.start');
process.on('SIGTERM', () => {
  session.post('Profiler.stop', (err, { profile }) => {
    fs.writeFileSync(`${process.env.PROF_DIR || '/tmp/perf2'}/fn-${process.pid}.cpuprofile`, JSON.stringify(profile));
    process.exit(0);
  });
});
