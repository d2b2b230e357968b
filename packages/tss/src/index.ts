/**
 * @tncjs/tss — a TPM 2.0 software stack in TypeScript: marshalling of TPM 2.0 Part 2 structures, typed Part 3
 * commands, transports (Linux /dev/tpmrm0, swtpm sockets with their control channel), password/HMAC/policy sessions,
 * AIK and EK helpers, quote verification without a TPM, strongSwan's TPM version info and device ID, and the
 * `tncjs tpm` operator CLI.
 * @packageDocumentation
 */
export * from './constants.js';
export { decodeResponseCode, explainResponseCode, rcIs, TPM_RC, TPM_RC_SUCCESS, type DecodedResponseCode } from './response-codes.js';
export { TpmError, TpmDecodeError, TpmTransportError, TpmResponseAuthError, QuoteVerificationError, type QuoteFailure, type TpmTransportErrorCode } from './errors.js';
export { encodeCommand, decodeResponse, COMMAND_HEADER_SIZE, type AuthCommand, type AuthResponse, type EncodedCommand, type DecodedResponse } from './command.js';
export { Tpm, LABEL, type CommandRequest, type CommandResult, type HandleRef, type TpmOptions } from './tpm.js';

// transports
export { type TpmTransport, type TransmitOptions, RESPONSE_HEADER_SIZE, MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT_MS, responseSizeOf } from './transports/transport.js';
export { SocketTransport, connectSocket, endpointString, type SocketEndpoint } from './transports/socket.js';
export { SwtpmTransport, SwtpmControl, SWTPM_CMD, PTM_INIT_FLAG_DELETE_VOLATILE, swtpmDescription } from './transports/swtpm.js';
export { DeviceTransport, openDevice, DEFAULT_DEVICES } from './transports/device.js';
export { parseTpmSpec, resolveTpmSpec, openTransport, TPM_ENV_VARS, type TpmSpec, type OpenTransportOptions } from './transports/select.js';

// structures (TPM 2.0 Part 2)
export { readTpm2b, writeTpm2b } from './structures/tpm2b.js';
export {
  type PcrSelection,
  readPcrSelectionList,
  writePcrSelectionList,
  encodePcrSelectionList,
  decodePcrSelectionList,
  parsePcrSelection,
  formatPcrSelection,
  subtractPcrSelection,
} from './structures/tpml-pcr-selection.js';
export { type SymDef, type Scheme, SYM_NULL, SYM_AES128_CFB, SCHEME_NULL, readScheme, writeScheme, readSymDef, writeSymDef } from './structures/tpmt-scheme.js';
export {
  type TpmtPublic,
  type RsaPublic,
  type EccPublic,
  type KeyedHashPublic,
  type SymCipherPublic,
  readPublic,
  writePublic,
  encodePublic,
  decodePublic,
  encodePublic2b,
  decodePublic2b,
  readPublic2b,
  writePublic2b,
  objectName,
} from './structures/tpmt-public.js';
export { type SensitiveCreate } from './structures/tpms-sensitive-create.js';
export { type CreationData } from './structures/tpms-creation-data.js';
export { type Ticket, readTicket, writeTicket, nullHashcheck } from './structures/tpmt-tk.js';
export { type TpmtSignature, readSignature, writeSignature, encodeSignature, decodeSignature } from './structures/tpmt-signature.js';
export { type TpmsAttest, type Attested, type ClockInfo, readAttest, writeAttest, encodeAttest, decodeAttest } from './structures/tpms-attest.js';
export { type TaggedHash, readDigestList, writeDigestList, readDigestValues, writeDigestValues } from './structures/tpml-digest.js';
export { type CapabilityData, readCapabilityData } from './structures/tpms-capability-data.js';
export { type NvPublic, encodeNvPublic, readNvPublic, writeNvPublic, nvName, nvIndexType } from './structures/tpms-nv-public.js';
export { type TpmsContext, encodeContext, decodeContext } from './structures/tpms-context.js';

// commands (TPM 2.0 Part 3)
export { type PcrSelectionInput, type PcrValue, type PcrReadResult, type ExtendInput, computePcrDigest, extendValue } from './commands/pcr.js';
export { type TpmInfo, propertyString, vendorString } from './commands/capability.js';
export { type Template, type CreateOptions, type CreationResult, type PrimaryObject } from './commands/hierarchy.js';
export { type CreatedObject, type ReadPublicResult, type ActivateOptions } from './commands/object.js';
export { type EvictOptions } from './commands/context.js';
export { type QuoteOptions, type QuoteResult } from './commands/attestation.js';
export { type SignOptions } from './commands/signing.js';
export { type NvReadOptions, type NvDefineOptions, type NvWriteOptions, type NvUndefineOptions } from './commands/nv.js';
export { type StartSessionOptions } from './commands/session.js';
export { type PolicySecretOptions, policyDigest } from './commands/policy.js';

// sessions
export { PASSWORD, authBytes, type Authorization, type AuthRef, type AuthCommandContext, type AuthResponseContext } from './sessions/authorization.js';
export { AuthSession, trimAuth, type SessionType } from './sessions/session.js';

// crypto (software side)
export { kdfa, kdfe } from './crypto/kdf.js';
export { publicKeyObject, publicKeyToSpki, publicKeyToPem, publicAreaFromKey, curveInfo } from './crypto/keys.js';
export { createSharedSecret, type SharedSecret } from './crypto/secret.js';
export { makeCredential, unwrapCredential, type MadeCredential } from './crypto/credential.js';

// keys, attestation, PTS
export { ekTemplate, srkTemplate, aikTemplate, signingKeyTemplate, EK_POLICY_SHA256, EK_ATTRIBUTES, SRK_ATTRIBUTES, AIK_ATTRIBUTES, SIGNING_ATTRIBUTES, type KeyAlg } from './templates.js';
export { createEk, readEkCertificate, ekCertIndex, activateCredentialWithEk, derLength, type ActivateWithEkInput } from './ek.js';
export { createAik, readAik, aikFromPublic, deviceId, keyIdPubkeyInfoSha1, strongswanAikConfig, type Aik, type CreateAikOptions } from './aik.js';
export { verifyQuote, verifySignature, type QuoteVerifyInput, type VerifiedQuote, type VerificationKey } from './quote.js';
export {
  tpm2VersionInfo,
  tpm2VersionInfoFromProperties,
  tpm12VersionInfo,
  parseVersionInfo,
  formatVersionInfo,
  strongswanTpm2InfoLine,
  strongswanLocality,
  TPM2_VERSION_INFO_TAG,
  TPM12_VERSION_INFO_TAG,
  type VersionInfo,
  type Tpm2VersionInfo,
  type Tpm12VersionInfo,
} from './version-info.js';

// operator CLI
export { runTpmCli, type TpmCliIo } from './cli.js';
