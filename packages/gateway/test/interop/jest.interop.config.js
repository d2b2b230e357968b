/** Jest config of the gateway end-to-end tier in network namespaces; run by scripts/interop-e2e.sh. */
import { tsProject } from '../../../../jest.base.js';

export default tsProject({ displayName: 'gateway-interop', rootDir: '../..', testMatch: ['<rootDir>/test/interop/**/*.interop.ts'] });
