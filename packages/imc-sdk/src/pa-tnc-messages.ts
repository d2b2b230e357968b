/**
 * PA-TNC helpers shared by the IMCs/IMVs: one attribute registry with the PTS attributes, decoding a received PA-TNC
 * message with strongSwan's log lines (answering a malformed one with a PA-TNC Error), and the assessment lines.
 */
import type { Logger } from '@tncjs/common';
import { createAttributeRegistry, decodePaTncMessage, paTncErrorFor, PaTncDecodeError, AssessmentResult, EVALUATION_RESULT_NAMES, type PaTncAttribute, type AttributeRegistry } from '@tncjs/pa-tnc';
import { registerPtsAttributes } from '@tncjs/pts';
import type { ReceivedMessage } from './types.js';

let shared: AttributeRegistry | undefined;
/** IETF, ITA-HSR, TCG segmentation and TCG PTS attributes. */
export function imcvAttributeRegistry(): AttributeRegistry {
  shared ??= registerPtsAttributes(createAttributeRegistry());
  return shared;
}

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

/**
 * Decode a received PA-TNC message, logging "processing PA-TNC message with ID …" and one line per attribute.
 * @returns the attributes, or `{ error }` with the PA-TNC Error attribute to send back (RFC 5792 §4.2.8)
 */
export function processPaTncMessage(m: ReceivedMessage, log: Logger, registry = imcvAttributeRegistry()): { attributes: PaTncAttribute<any>[]; error?: undefined } | { attributes?: undefined; error: PaTncAttribute<any> } {
  try {
    const msg = decodePaTncMessage(m.body, { registry });
    log.log('TNC', 2, `processing PA-TNC message with ID 0x${hex(msg.identifier, 8)}`);
    for (const a of msg.attributes) {
      log.log('TNC', 2, `processing PA-TNC attribute type '${registry.nameOf(a.vendorId, a.typeId)}' 0x${hex(a.vendorId, 6)}/0x${hex(a.typeId, 8)}`);
    }
    return { attributes: msg.attributes };
  } catch (e) {
    if (!(e instanceof PaTncDecodeError)) throw e;
    log.log('TNC', 1, e.message);
    return { error: paTncErrorFor(e) };
  }
}

/** An IMC's handling of an IETF Assessment Result attribute, with strongSwan's lines. */
export function logAssessment(log: Logger, imc: { id: number; name: string }, imvId: number, a: PaTncAttribute<any>): number | undefined {
  if (!AssessmentResult.is(a)) return undefined;
  log.log('IMC', 1, `***** assessment of IMC ${imc.id} "${imc.name}" from IMV ${imvId} *****`);
  log.log('IMC', 1, `assessment result is '${EVALUATION_RESULT_NAMES[a.value.result]}'`);
  log.log('IMC', 1, '***** end of assessment *****');
  return a.value.result;
}
