# Build: bundle the TypeScript function into dist/func.js (and dist/lazy/, the packages
# it loads when first used), with its validators compiled at build time (scripts/build.mjs).
FROM fnproject/node:22-dev AS build
WORKDIR /function
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/bake-compile-cache.cjs ./scripts/
COPY scripts/lib/build-validators.mjs scripts/lib/sdk-patches.mjs ./scripts/lib/
COPY schemas ./schemas
COPY src ./src
RUN npm run build
# A V8 compile cache for the bundle (bench/README.md, benchmark 6: it cuts the time to
# listen by a third on Node 22). The file system is read-only at run time, so it is made
# here, at the path and with the node flags the function runs with.
RUN node --max-old-space-size=256 --max-semi-space-size=4 scripts/bake-compile-cache.cjs /function/.compile-cache

# Run: only the bundle (it carries the OCI SDK and the FDK), the packages it loads when first used
# (dist/lazy: KMS, Functions, Monitoring, Secrets clients...) and its compile cache, no node_modules.
FROM fnproject/node:22
WORKDIR /function
COPY --from=build /function/dist/func.js ./dist/func.js
COPY --from=build /function/dist/lazy ./dist/lazy
COPY --from=build /function/.compile-cache ./.compile-cache
ENV NODE_COMPILE_CACHE=/function/.compile-cache
# At most two glibc malloc arenas (fnproject/node:22 is Oracle Linux 9: glibc, not musl). Each thread
# that allocates (libuv's threadpool signs every request, V8's platform workers compile and mark) would
# otherwise get an arena of its own, up to 8 per core, and keep its freed pages: after sweeps at 64 in
# flight a warm container held ~7 MiB (7%) less RSS with two, at the same CPU per version (bench/README.md,
# "Idle RSS, third pass").
ENV MALLOC_ARENA_MAX=2
# glibc gives the top of its heap back above 512 KiB free (and serves blocks of 512 KiB and more with
# mmap), rather than its dynamic default, which rises to twice the largest block freed so far (the
# bundle's source read at start: ~3.4 MiB kept). Idle RSS -0.3 MiB, 0.5 s after two calls -0.4, with no
# measured CPU cost to the first answer or per re-encrypted version (bench/README.md, fourth pass).
ENV MALLOC_TRIM_THRESHOLD_=524288
ENV MALLOC_MMAP_THRESHOLD_=524288
# Heap flags chosen from the memory benchmarks (bench/README.md, 3 and 8): a small young
# generation keeps RSS low (a 1M-object dry run peaks at ~83 MiB) at ~1 µs of CPU per object
# listed; the old-space cap stays far below the function's 512 MB. They cost ~18 ms of CPU
# per cold start (any V8 flag makes Node's built-in modules compile without their embedded
# code cache), but without them RSS grows by ~57 MiB over benchmark 8 on the bench machine.
# A 4 MiB semi-space rather than 2: ~30-36 µs less CPU per re-encrypted version (fewer
# scavenges), the same idle RSS (bench/README.md, sixth pass).
ENTRYPOINT ["node", "--max-old-space-size=256", "--max-semi-space-size=4", "dist/func.js"]
