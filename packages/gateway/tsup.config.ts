import { defineConfig } from 'tsup';

// Two builds: the library (ESM + CJS with types) and the `tnc-gateway` command (ESM only, executable).
export default defineConfig([
  { entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true, sourcemap: true, clean: ['!bin.js', '!bin.js.map'], target: 'node20' },
  { entry: ['src/bin.ts'], format: ['esm'], dts: false, sourcemap: true, clean: false, target: 'node20', banner: { js: '#!/usr/bin/env node' } },
]);
