// Preloaded into a function process by the soak tests (NODE_OPTIONS=--expose-gc --require ...): on SIGUSR2
// it collects garbage and prints one `SOAK-PROBE {...}` line with what a long-lived container could leak:
// the resources keeping the event loop alive (timers, sockets, by type), its file descriptors by kind, its TCP
// connections by state (read from /proc, so unref'd idle sockets count too), the listeners on `process`,
// the warnings it emitted (MaxListenersExceededWarning among them) and its memory after a full GC.
'use strict';
const { readdirSync, readFileSync, readlinkSync } = require('node:fs');

const warnings = [];
process.on('warning', (w) => {
  if (warnings.length < 100) warnings.push(`${w.name}: ${String(w.message).slice(0, 300)}`);
});

const TCP_STATES = { '01': 'established', '06': 'timeWait', '08': 'closeWait', '04': 'finWait1', '05': 'finWait2', '09': 'lastAck', '0A': 'listen' };

function tcpByState() {
  const inodes = new Set();
  const fdKinds = {};
  for (const fd of readdirSync('/proc/self/fd')) {
    let link = '';
    try { link = readlinkSync(`/proc/self/fd/${fd}`); } catch { continue; } // the directory's own fd, closed meanwhile
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) inodes.add(m[1]);
    const kind = m ? 'socket' : /^pipe:/.test(link) ? 'pipe' : /^anon_inode:/.test(link) ? 'anon_inode' : 'file';
    fdKinds[kind] = (fdKinds[kind] || 0) + 1;
  }
  const byState = {};
  for (const file of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    let text = '';
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || !inodes.has(cols[9])) continue;
      const state = TCP_STATES[cols[3]] || cols[3];
      byState[state] = (byState[state] || 0) + 1;
    }
  }
  return { fdKinds, tcp: byState };
}

process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') { global.gc(); global.gc(); }
  const resources = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] || 0) + 1;
  const processListeners = {};
  for (const name of process.eventNames()) processListeners[String(name)] = process.listenerCount(name);
  const m = process.memoryUsage();
  const probe = {
    resources, ...tcpByState(), processListeners, warnings,
    heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss,
  };
  process.stdout.write(`SOAK-PROBE ${JSON.stringify(probe)}\n`);
});
