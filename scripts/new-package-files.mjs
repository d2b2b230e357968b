// Writes the common per-package build files (package.json fields, tsconfig.json, tsup.config.ts) so every package has
// the same skeleton. Run: node scripts/new-package-files.mjs <name> "<description>" [dep ...]
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
const [name, description, ...deps] = process.argv.slice(2);
const dir = `packages/${name}`;
const pkgPath = `${dir}/package.json`;
const old = existsSync(pkgPath) ? JSON.parse(readFileSync(pkgPath, 'utf8')) : {};
const pkg = {
  name: `@tncjs/${name}`,
  version: '0.1.0',
  description,
  license: 'Apache-2.0',
  type: 'module',
  sideEffects: false,
  exports: {
    '.': {
      '@tncjs/source': './src/index.ts',
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
  },
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  files: ['dist', 'README.md'],
  scripts: { build: 'tsup', test: 'cd ../.. && NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects ' + name },
  engines: { node: '>=20' },
  ...old,
  dependencies: { ...(old.dependencies ?? {}), ...Object.fromEntries(deps.map((d) => [`@tncjs/${d}`, '0.1.0'])) },
};
writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');
writeFileSync(
  `${dir}/tsconfig.json`,
  JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { rootDir: 'src', outDir: 'dist', types: ['node'] }, include: ['src'] }, null, 2) + '\n',
);
writeFileSync(
  `${dir}/tsup.config.ts`,
  `import { packageConfig } from '../../tsup.base.js';\n\nexport default packageConfig();\n`,
);
