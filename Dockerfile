# Build: bundle the TypeScript function into one file, dist/func.js.
FROM fnproject/node:22-dev AS build
WORKDIR /function
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY schemas ./schemas
COPY src ./src
RUN npm run build

# Run: only the bundle (it carries the OCI SDK and the FDK), no node_modules.
FROM fnproject/node:22
WORKDIR /function
COPY --from=build /function/dist/func.js ./dist/func.js
ENTRYPOINT ["node", "dist/func.js"]
