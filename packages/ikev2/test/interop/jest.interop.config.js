/** Jest config of the ikev2 interop tier (real strongSwan gateway "moon"); run by scripts/interop-ikev2.sh. */
import { tsProject } from '../../../../jest.base.js';

export default tsProject({ displayName: 'ikev2-interop', rootDir: '../..', testMatch: ['<rootDir>/test/interop/**/*.interop.ts'] });
