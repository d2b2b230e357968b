/** Root jest config: one project per package (the shape is in jest.base.js). */
import { tsProject } from './jest.base.js';

const packages = ['common', 'pb-tnc', 'pa-tnc', 'tss', 'pts', 'client', 'eap', 'eap-ttls', 'pt-eap', 'ikev2', 'imc-sdk', 'gateway'];

export default {
  projects: packages.map((p) => tsProject({ displayName: p, rootDir: `packages/${p}`, testMatch: ['<rootDir>/test/**/*.test.ts'] })),
};
