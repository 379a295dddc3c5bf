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
RUN node --max-old-space-size=256 --max-semi-space-size=16 --min-semi-space-size=4 scripts/bake-compile-cache.cjs /function/.compile-cache

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
# Heap flags chosen against CPU and memory side by side (`npm run bench -- --only=flags`; bench/README.md,
# "Issue 11: the image's flags chosen against CPU and memory"). They must be set: in a container limited to
# 512 MB, Node hands V8 the cgroup's limit and V8 would pick a 256 MiB old space and a 1 MiB semi-space
# (~10-15% more CPU per re-encrypted version than with the flags below).
# - A 16 MiB semi-space: 3 scavenges per 1,000 versions instead of 10 with 4 MiB, 1-5% less CPU per
#   re-encrypted version (paired by round); under sustained load the young generation grows to up to
#   3 x 16 MiB of RSS until V8's memory reducer runs (the 1M-object dry run peaks at ~97-105 MiB).
# - It starts at 4 MiB (--min-semi-space-size; the default is 1): fewer start-up objects are promoted,
#   0.5 s after two calls RSS is 0.4 MiB lower (54.8 against 55.2) and 1.2 lower once listening.
# - The old space stays capped at 256 MiB, half the function's 512 MB (V8's own choice for that memory).
#   Any V8 flag costs ~10 ms of CPU per cold start (Node's built-in modules lose their embedded code cache).
ENTRYPOINT ["node", "--max-old-space-size=256", "--max-semi-space-size=16", "--min-semi-space-size=4", "dist/func.js"]
