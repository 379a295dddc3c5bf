// Preloaded into a function process by test/integration/lean-start.test.ts: on SIGUSR2 it prints
// which of Node's heavier built-in modules the process has loaded, as one `LOADED-MODULES {...}` line.
'use strict';
process.on('SIGUSR2', () => {
  const loaded = (name) => process.moduleLoadList.some((m) => m === `NativeModule ${name}`);
  process.stdout.write(`LOADED-MODULES ${JSON.stringify({ undici: loaded('internal/deps/undici/undici') })}\n`);
});
