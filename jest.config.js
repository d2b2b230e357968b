/** Root jest config: one project per package, TypeScript through @swc/jest, ESM mode. */
const packages = ['common', 'pb-tnc', 'pa-tnc', 'tss', 'pts', 'client', 'eap', 'eap-ttls', 'pt-eap', 'ikev2', 'imc-sdk', 'gateway'];

/** @type {import('jest').Config} */
const project = (name) => ({
  displayName: name,
  rootDir: `<rootDir>/packages/${name}`,
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['@tncjs/source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
});

export default {
  projects: packages.map((p) => ({ ...project(p), rootDir: `packages/${p}` })),
};
