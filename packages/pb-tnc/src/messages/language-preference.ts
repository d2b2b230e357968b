/** RFC 5793 §4.10 PB-Language-Preference: an `Accept-Language: en` header line (US-ASCII, RFC 3282). */
import { PEN, struct, utf8 } from '@tncjs/common';
import { defineMessage } from '../message.js';
import { IetfMsg } from './names.js';
import { DecodeError } from '@tncjs/common';

const ACCEPT_LANGUAGE = 'Accept-Language: ';

export const PbLanguagePreference = defineMessage({
  vendorId: PEN.IETF,
  type: IetfMsg.LANGUAGE_PREFERENCE,
  name: 'IETF/PB-Language-Preference',
  noskip: false,
  body: struct({ languagePreference: utf8('rest') }),
  validate: (v, at) => {
    if (!v.languagePreference.startsWith(ACCEPT_LANGUAGE)) {
      throw new DecodeError(`language preference must be preceded by '${ACCEPT_LANGUAGE}'`, at, { code: 'ERR_VALUE' });
    }
  },
});

/** The header line strongSwan sends for a language list, e.g. `en` → `Accept-Language: en`. */
export function acceptLanguage(languages: string): string {
  return `${ACCEPT_LANGUAGE}${languages}`;
}
