// The one tsup configuration every package builds with (ESM + CJS + .d.ts for Node 20).
import { defineConfig, type Options } from 'tsup';

export function packageConfig(overrides: Options = {}) {
  return defineConfig({ entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true, sourcemap: true, clean: true, target: 'node20', ...overrides });
}
