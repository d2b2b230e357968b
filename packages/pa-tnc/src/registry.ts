/**
 * The attribute registry: (vendor, type) → attribute definition, plus names of types known only by name.
 * Higher packages (e.g. @tncjs/pts) register their definitions into a registry; unknown types decode as raw.
 */
import { VendorTypeRegistry } from '@tncjs/common';
import type { AttributeType } from './attribute.js';

export class AttributeRegistry extends VendorTypeRegistry<AttributeType<any>> {
  /** A copy that can be extended without touching this registry. */
  clone(): AttributeRegistry {
    return this.copyInto(new AttributeRegistry());
  }
}
