/** Jest config of the client interop tier (the built `tnc-client` against strongSwan's moon); run by scripts/interop-client.sh. */
import { tsProject } from '../../../../jest.base.js';

export default tsProject({ displayName: 'client-interop', rootDir: '../..', testMatch: ['<rootDir>/test/interop/**/*.interop.ts'] });
