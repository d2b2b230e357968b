/** PT-EAP errors: decoding (`ERR_PT_EAP_DECODE`) and protocol outcomes (`EapError` codes of @tncjs/eap plus ours). */
import { DecodeError } from '@tncjs/common';
import { EapError } from '@tncjs/eap';

export const PtEapErrorCode = {
  DECODE: 'ERR_PT_EAP_DECODE',
  VERSION: 'ERR_PT_EAP_VERSION',
  STATE: 'ERR_PT_EAP_STATE',
  /** The PB-TNC exchange ended with a fatal PB-Error or without an acceptable access recommendation. */
  TNC: 'ERR_PT_EAP_TNC',
} as const;

export class PtEapDecodeError extends DecodeError {
  constructor(message: string, offset: number) {
    super(message, offset, { code: PtEapErrorCode.DECODE });
  }
}

export class PtEapError extends EapError {}
