import { defineConfig } from 'tsup';

// Two builds: the library (ESM + CJS with types) and the `tncjs` command (ESM only, executable). They run in parallel
// into the same dist/, so the library's clean step keeps the command's files.
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: ['!cli.js', '!cli.js.map'],
    target: 'node20',
  },
  {
    entry: ['src/cli.ts'],
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
