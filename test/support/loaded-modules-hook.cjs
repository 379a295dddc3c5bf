// Preloaded into a function process by test/integration/lean-start.test.ts: on SIGUSR2 it prints
// which of Node's heavier built-in modules the process has loaded, as one `LOADED-MODULES {...}` line.
'use strict';
process.on('SIGUSR2', () => {
  const loaded = (name) => process.moduleLoadList.some((m) => m === `NativeModule ${name}`);
  // Nothing on the function's own paths uses node:assert; sshpk does (through assert-plus), so its absence says sshpk stayed unloaded.
  process.stdout.write(`LOADED-MODULES ${JSON.stringify({ undici: loaded('internal/deps/undici/undici'), assert: loaded('assert') })}\n`);
});
