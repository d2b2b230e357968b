/**
 * Packs attributes into PA-TNC messages no larger than the connection's maximum PA message size, starting a new message
 * when the next attribute does not fit (strongSwan's imc_msg/imv_msg send loop: the seed's 1,300 evidence attributes
 * go out in 5 messages of at most 32,722 bytes).
 */
import { encodeVendorTlv, formatVendorType, getLogger, concatBytes, Writer, type Logger } from '@tncjs/common';
import type { PaTncAttribute } from './attribute.js';
import { MESSAGE_HEADER_SIZE, PA_TNC_VERSION } from './message.js';
import type { AttributeRegistry } from './registry.js';
import { defaultAttributeRegistry } from './registry-default.js';
import { randomBytes } from 'node:crypto';

export interface BuilderOptions {
  /** Maximum size of one PA-TNC message (the connection's maximum PA message size). */
  maxMessageSize: number;
  /** Message identifier source (default: random, as strongSwan). */
  nextIdentifier?: () => number;
  logger?: Logger;
  registry?: AttributeRegistry;
}

export function randomMessageId(): number {
  return randomBytes(4).readUInt32BE(0);
}

export class PaTncMessageBuilder {
  private readonly done: Uint8Array[] = [];
  private chunks: Uint8Array[] = [];
  private size = 0;
  private readonly log: Logger;
  private readonly registry: AttributeRegistry;
  private readonly nextIdentifier: () => number;

  constructor(private readonly options: BuilderOptions) {
    if (options.maxMessageSize < MESSAGE_HEADER_SIZE + 12) throw new RangeError(`maximum PA-TNC message size ${options.maxMessageSize} too small`);
    this.log = options.logger ?? getLogger();
    this.registry = options.registry ?? defaultAttributeRegistry();
    this.nextIdentifier = options.nextIdentifier ?? randomMessageId;
  }

  /**
   * Add an attribute (or its encoding). Starts a new message when it does not fit into the current one.
   * @throws RangeError when the attribute alone exceeds the maximum message size (segment it first)
   */
  add(a: PaTncAttribute<unknown> | Uint8Array): this {
    const bytes = a instanceof Uint8Array ? a : encodeVendorTlv(a);
    if (MESSAGE_HEADER_SIZE + bytes.byteLength > this.options.maxMessageSize) {
      throw new RangeError(`PA-TNC attribute of ${bytes.byteLength} bytes exceeds maximum message size of ${this.options.maxMessageSize} bytes`);
    }
    if (this.chunks.length > 0 && this.size + bytes.byteLength > this.options.maxMessageSize) this.flush();
    if (this.chunks.length === 0) this.start();
    if (!(a instanceof Uint8Array)) {
      this.log.log('TNC', 2, () => `creating PA-TNC attribute type '${this.registry.nameOf(a.vendorId, a.typeId)}' ${formatVendorType(a.vendorId, a.typeId)}`);
    }
    this.chunks.push(bytes);
    this.size += bytes.byteLength;
    return this;
  }

  private start(): void {
    const id = this.nextIdentifier() >>> 0;
    this.log.log('TNC', 2, `creating PA-TNC message with ID 0x${id.toString(16).padStart(8, '0')}`);
    this.chunks.push(new Writer(8).u8(PA_TNC_VERSION).u24(0).u32(id).finish());
    this.size = MESSAGE_HEADER_SIZE;
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    this.done.push(concatBytes(this.chunks));
    this.chunks = [];
    this.size = 0;
  }

  /** Size of the message being filled (0 when none). */
  get currentSize(): number {
    return this.size;
  }

  /** All messages built so far, the last one closed; the builder is empty afterwards. */
  finish(): Uint8Array[] {
    this.flush();
    return this.done.splice(0);
  }
}
