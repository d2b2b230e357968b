/**
 * swtpm's socket interface with its control channel (CMD_INIT = 2 power-on, CMD_STOP = 14, CMD_SHUTDOWN = 3, …),
 * over TCP and over Unix sockets: power-on + TPM2_Startup done by us, Shutdown(STATE)/Startup(STATE) across a power
 * cycle, stop, and ending the process.
 */
import { toHex } from '@tncjs/common';
import { TPM_ALG, TpmTransportError, type Tpm } from '../src/index.js';
import { startSwtpm, type SwtpmInstance } from '../../../test-support/swtpm.js';
import { jest } from '@jest/globals';

// real TPM work: RSA key generation in swtpm can take seconds on a loaded CI machine
jest.setTimeout(30_000);

describe.each(['tcp', 'unix'] as const)('swtpm over %s, started without not-need-init', (transport) => {
  let swtpm: SwtpmInstance;
  let tpm: Tpm;

  beforeAll(async () => {
    swtpm = await startSwtpm({ transport, needInit: true });
    tpm = await swtpm.open({ timeoutMs: 5000 });
  });

  afterAll(async () => {
    await tpm?.close();
    await swtpm?.stop();
  });

  test('the spec names the socket', () => {
    expect(tpm.transport.description).toBe(swtpm.spec);
    expect(tpm.control).toBeDefined();
  });

  test('before power-on swtpm answers TPM_RC_FAILURE', async () => {
    await expect(tpm.getRandom(4)).rejects.toMatchObject({ rcName: 'TPM_RC_FAILURE' });
  });

  test('CMD_INIT (power-on), TPM2_Startup(CLEAR), commands work', async () => {
    const caps = await tpm.control!.getCapability();
    expect(caps & 1n).toBe(1n); // PTM_CAP_INIT
    await tpm.control!.init();
    await tpm.startup('clear');
    expect((await tpm.getRandom(16)).length).toBe(16);
  });

  test('TPM2_Shutdown(STATE), power cycle, TPM2_Startup(STATE) keeps PCR values; Startup(CLEAR) resets them', async () => {
    await tpm.pcrExtend(16, [{ hashAlg: TPM_ALG.SHA256, digest: new Uint8Array(32).fill(1) }]);
    await tpm.pcrExtend(10, [{ hashAlg: TPM_ALG.SHA256, digest: new Uint8Array(32).fill(2) }]);
    const before = (await tpm.pcrRead('sha256:10')).values[0].value;
    await tpm.shutdown('state');
    await tpm.control!.init();
    await tpm.startup('state');
    expect(toHex((await tpm.pcrRead('sha256:10')).values[0].value)).toBe(toHex(before));
    await tpm.shutdown('clear');
    await tpm.control!.init();
    await tpm.startup('clear');
    expect(toHex((await tpm.pcrRead('sha256:10')).values[0].value)).toBe('00'.repeat(32));
  });

  test('CMD_STOP stops the TPM until the next CMD_INIT and TPM2_Startup; set locality', async () => {
    await tpm.control!.setLocality(0);
    expect(typeof (await tpm.control!.getTpmEstablished())).toBe('boolean');
    await tpm.control!.stop();
    await expect(tpm.getRandom(4)).rejects.toMatchObject({ rcName: 'TPM_RC_FAILURE' });
    await tpm.control!.init();
    await expect(tpm.getRandom(4)).rejects.toMatchObject({ rcName: 'TPM_RC_INITIALIZE' });
    await tpm.startup('clear');
    expect((await tpm.getRandom(4)).length).toBe(4);
  });

  test('CMD_STORE_VOLATILE, CMD_STOP, CMD_INIT: the TPM resumes where it was (no TPM2_Startup needed)', async () => {
    await tpm.control!.storeVolatile();
    await tpm.control!.stop();
    await tpm.control!.init();
    expect((await tpm.getRandom(4)).length).toBe(4);
  });

  test('CMD_SHUTDOWN ends the swtpm process; afterwards the TPM is unreachable', async () => {
    await tpm.control!.shutdown();
    expect(await swtpm.exited).toBe(0);
    await expect(tpm.getRandom(1)).rejects.toBeInstanceOf(TpmTransportError);
    await expect(tpm.control!.init()).rejects.toMatchObject({ code: 'ERR_TPM_UNREACHABLE' });
  });
});
