/**
 * swtpm's socket interface: the data channel (raw TPM commands, see SocketTransport) and the control channel, which
 * carries swtpm's own commands (swtpm `tpm_ioctl.h`): a 4-byte big-endian command code and its payload in, a
 * 4-byte big-endian TPM_RESULT (and the command's fields) out. `CMD_INIT` is the power-on (_TPM_Init) that a TPM
 * needs before TPM2_Startup; `CMD_SHUTDOWN` ends the swtpm process; `CMD_STOP` stops the TPM without ending it.
 * Each control command uses its own connection, as tpm2-tss' swtpm TCTI does.
 */
import { concatBytes } from '@tncjs/common';
import { TpmTransportError } from '../errors.js';
import { connectSocket, endpointString, SocketTransport, type SocketEndpoint } from './socket.js';
import { DEFAULT_TIMEOUT_MS } from './transport.js';

/** swtpm control channel command codes (swtpm `include/swtpm/tpm_ioctl.h`). */
export const SWTPM_CMD = {
  GET_CAPABILITY: 1,
  INIT: 2,
  SHUTDOWN: 3,
  GET_TPMESTABLISHED: 4,
  SET_LOCALITY: 5,
  HASH_START: 6,
  HASH_DATA: 7,
  HASH_END: 8,
  CANCEL_TPM_CMD: 9,
  STORE_VOLATILE: 10,
  RESET_TPMESTABLISHED: 11,
  GET_STATEBLOB: 12,
  SET_STATEBLOB: 13,
  STOP: 14,
  GET_CONFIG: 15,
  SET_DATAFD: 16,
  SET_BUFFERSIZE: 17,
  GET_INFO: 18,
} as const;

const CMD_NAMES: Record<number, string> = Object.fromEntries(Object.entries(SWTPM_CMD).map(([k, v]) => [v, `CMD_${k}`]));

/** CMD_INIT flag: delete the volatile state before starting (PTM_INIT_FLAG_DELETE_VOLATILE). */
export const PTM_INIT_FLAG_DELETE_VOLATILE = 1;

/** TPM 1.2-style results swtpm's control channel answers with (libtpms `tpm_error.h`). */
const PTM_RESULTS: Record<number, string> = { 0: 'TPM_SUCCESS', 3: 'TPM_BAD_PARAMETER', 9: 'TPM_FAIL', 10: 'TPM_BAD_ORDINAL', 0x2e: 'TPM_BAD_LOCALITY', 0x26: 'TPM_BAD_MODE' };

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

const readU32 = (b: Uint8Array, at = 0) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/** The control channel of one swtpm instance. */
export class SwtpmControl {
  constructor(
    readonly endpoint: SocketEndpoint,
    readonly description: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Send one control command, read exactly `responseLength` bytes. @throws TpmTransportError */
  async command(cmd: number, payload: Uint8Array, responseLength: number): Promise<Uint8Array> {
    const name = CMD_NAMES[cmd] ?? `command ${cmd}`;
    const sock = await connectSocket(this.endpoint, this.description, this.timeoutMs);
    try {
      return await new Promise<Uint8Array>((resolve, reject) => {
        const chunks: Uint8Array[] = [];
        let have = 0;
        const timer = setTimeout(() => reject(new TpmTransportError('ERR_TPM_TIMEOUT', this.description, `no answer to ${name} within ${this.timeoutMs} ms`)), this.timeoutMs);
        sock.on('data', (d: Buffer) => {
          chunks.push(new Uint8Array(d));
          have += d.length;
          if (have >= responseLength) {
            clearTimeout(timer);
            resolve(concatBytes(chunks).subarray(0, responseLength));
          }
        });
        sock.on('close', () => {
          clearTimeout(timer);
          reject(new TpmTransportError('ERR_TPM_CLOSED', this.description, `control channel closed after ${have} of ${responseLength} bytes of the answer to ${name}`));
        });
        sock.on('error', (e) => {
          clearTimeout(timer);
          reject(new TpmTransportError('ERR_TPM_TRANSPORT', this.description, `${name}: ${e.message}`, { cause: e }));
        });
        // one write: swtpm reads a control command with a single read()
        sock.write(concatBytes([u32(cmd), payload]));
      });
    } finally {
      sock.destroy();
    }
  }

  private async result(cmd: number, payload: Uint8Array = new Uint8Array(0), responseLength = 4): Promise<Uint8Array> {
    const res = await this.command(cmd, payload, responseLength);
    const rc = readU32(res);
    if (rc !== 0) {
      throw new TpmTransportError('ERR_TPM_TRANSPORT', this.description, `${CMD_NAMES[cmd]} failed: ${PTM_RESULTS[rc] ?? 'TPM_RESULT'} (0x${rc.toString(16)})`);
    }
    return res;
  }

  /** Capability bits (PTM_CAP_*) this swtpm supports. */
  async getCapability(): Promise<bigint> {
    const b = await this.command(SWTPM_CMD.GET_CAPABILITY, new Uint8Array(0), 8);
    return (BigInt(readU32(b)) << 32n) | BigInt(readU32(b, 4));
  }

  /** Power on (_TPM_Init): (re)start the TPM; TPM2_Startup must follow. */
  async init(options: { deleteVolatile?: boolean } = {}): Promise<void> {
    await this.result(SWTPM_CMD.INIT, u32(options.deleteVolatile ? PTM_INIT_FLAG_DELETE_VOLATILE : 0));
  }

  /** Stop the TPM (power off); swtpm keeps running and accepts CMD_INIT again. */
  async stop(): Promise<void> {
    await this.result(SWTPM_CMD.STOP);
  }

  /** End the swtpm process (after saving its state). */
  async shutdown(): Promise<void> {
    await this.result(SWTPM_CMD.SHUTDOWN);
  }

  /** Set the locality of subsequent commands (0..4). */
  async setLocality(locality: number): Promise<void> {
    if (!Number.isInteger(locality) || locality < 0 || locality > 4) throw new RangeError(`locality ${locality} out of range 0..4`);
    await this.result(SWTPM_CMD.SET_LOCALITY, new Uint8Array([locality]));
  }

  /** The TPM Established bit. */
  async getTpmEstablished(): Promise<boolean> {
    const b = await this.result(SWTPM_CMD.GET_TPMESTABLISHED, new Uint8Array(0), 8);
    return (b[4] & 1) === 1;
  }

  /** Write the volatile state to the state directory. */
  async storeVolatile(): Promise<void> {
    await this.result(SWTPM_CMD.STORE_VOLATILE);
  }
}

/** A swtpm reached through its socket interface: TPM commands on the data channel, power control on `control`. */
export class SwtpmTransport extends SocketTransport {
  readonly control?: SwtpmControl;

  constructor(data: SocketEndpoint, ctrl: SocketEndpoint | undefined, options: { description?: string; timeoutMs?: number } = {}) {
    const description = options.description ?? swtpmDescription(data, ctrl);
    super(data, description, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (ctrl) this.control = new SwtpmControl(ctrl, `${description} (control channel ${endpointString(ctrl)})`);
  }
}

/** `swtpm:tcp://127.0.0.1:2321`, `swtpm:unix:///run/swtpm.sock`. */
export function swtpmDescription(data: SocketEndpoint, ctrl?: SocketEndpoint): string {
  const d = 'path' in data ? `unix://${data.path}` : `tcp://${data.host}:${data.port}`;
  const isDefault =
    !ctrl ||
    ('path' in data && 'path' in ctrl && ctrl.path === `${data.path}.ctrl`) ||
    ('port' in data && 'port' in ctrl && ctrl.host === data.host && ctrl.port === data.port + 1);
  return isDefault ? `swtpm:${d}` : `swtpm:${d}?ctrl=${'path' in ctrl! ? ctrl!.path : `${ctrl!.host}:${ctrl!.port}`}`;
}

export { DEFAULT_TIMEOUT_MS };
