// Preloaded into a function process by the flags benchmark (bench/lib/flags.ts, `--require`): counts the
// process's garbage collections by kind and writes the tally, with the young generation's current and resident size
// and V8's heap limit, to GC_COUNT_FILE at most every 200 ms (an unref'd timer, so it never keeps the process up).
// A PerformanceObserver costs a few µs per collection, a few hundred collections per sweep: < 0.1 µs per version.
'use strict';
const { writeFileSync } = require('node:fs');
const { PerformanceObserver, constants } = require('node:perf_hooks');
const v8 = require('node:v8');

const file = process.env.GC_COUNT_FILE;
if (file) {
  const tally = { scavenges: 0, markCompacts: 0, incremental: 0, weakCallbacks: 0, gcMs: 0 };
  let dirty = true;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = e.detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) tally.scavenges += 1;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) tally.markCompacts += 1;
      else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) tally.incremental += 1;
      else tally.weakCallbacks += 1;
      tally.gcMs += e.duration;
    }
    dirty = true;
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => {
    if (!dirty) return;
    dirty = false;
    const spaces = v8.getHeapSpaceStatistics();
    const young = spaces.find((s) => s.space_name === 'new_space');
    const youngLarge = spaces.find((s) => s.space_name === 'new_large_object_space');
    writeFileSync(file, JSON.stringify({
      ...tally, newSpaceMiB: (young?.space_size ?? 0) / 1048576, heapSizeLimitMiB: v8.getHeapStatistics().heap_size_limit / 1048576,
      // The young generation's resident pages (both semi-spaces and its large objects): RSS it holds by design, bounded by the flags.
      youngPhysicalMiB: ((young?.physical_space_size ?? 0) + (youngLarge?.physical_space_size ?? 0)) / 1048576,
    }));
  }, 200).unref();
}
