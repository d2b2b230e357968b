import { defineConfig } from 'tsup';

// Three builds: the library (ESM + CJS with types) and the `tncjs` and `tnc-client` commands (ESM only, executable). They run in parallel
// into the same dist/, so the library's clean step keeps the command's files.
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: ['!cli.js', '!cli.js.map', '!tnc-client.js', '!tnc-client.js.map'],
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
  {
    // a build of its own: two entries in one ESM build would share chunk files, which the library's clean removes
    entry: ['src/tnc-client.ts'],
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    splitting: false,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
