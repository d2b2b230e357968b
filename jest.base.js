/**
 * The one jest project shape of this repository (TypeScript through @swc/jest, ESM mode, sources through the
 * `@tncjs/source` export condition), used by the root config and by the interop tiers' configs.
 * @param {{ displayName: string, rootDir: string, testMatch: string[] }} p
 * @returns {import('jest').Config}
 */
export const tsProject = ({ displayName, rootDir, testMatch }) => ({
  displayName,
  rootDir,
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['@tncjs/source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  testMatch,
});
