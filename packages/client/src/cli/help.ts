/** Usage line and man-page-style help of the `tncjs` command. */
import { MAX_INPUT_BYTES } from './input.js';

export const USAGE = 'usage: tncjs {decode|encode} {pb-tnc|pa-tnc} [--binary] <file|-|json>  (tncjs --help for more)';

export const HELP = `TNCJS(1)                         tncjs manual                         TNCJS(1)

NAME
    tncjs - decode and encode TNC protocol messages (PB-TNC, PA-TNC)

SYNOPSIS
    tncjs decode pb-tnc <file|->
    tncjs decode pa-tnc <file|->
    tncjs encode pb-tnc [--binary] <json|file|->
    tncjs encode pa-tnc [--binary] <json|file|->
    tncjs --help
    tncjs eventlog|ima|tpm|attest …   (operator tools, see below)

DESCRIPTION
    decode pb-tnc
        Decode a PB-TNC batch (RFC 5793) and print every field as JSON: the batch
        header (version, direction from the D flag, type, length) and each message
        (name, vendorId, type, noskip, length, and its decoded value, or its value
        bytes as "raw" hex when the type is unknown). The body of every PB-PA
        message is also decoded as a PA-TNC message ("paMessage", with "paType");
        when it is not one, "paMessageError" says why and the decode still succeeds.
        No direction check is made and unknown NOSKIP messages are shown, not
        refused.

    decode pa-tnc
        Decode a bare PA-TNC message (RFC 5792): version, identifier, attributes.

    encode pb-tnc, encode pa-tnc
        Read the JSON that decode prints and write the bytes as lower-case hex.
        "name", "length", "paType" and "paMessageError" are ignored (lengths are
        recomputed). An element with "raw" is written as those bytes. A PB-PA
        message with "paMessage" gets its body encoded from it; its "value.body"
        is then ignored (delete "paMessage" to send "value.body" as it is).
        decode followed by encode gives back the input bytes.

OPERATOR TOOLS
    Each answers --help with its own options.
    tncjs eventlog <file>      replay a TCG BIOS/UEFI event log (@tncjs/pts).
    tncjs ima <file>           replay a Linux IMA runtime log (@tncjs/pts).
    tncjs tpm …                TPM 2.0 information, AIK, quote (@tncjs/tss).
    tncjs attest <db> …        the Attestation IMV's reference database:
                               init, import-ima, import-dir, register-aik, trust,
                               untrust, devices, sessions, files
                               (@tncjs/imc-sdk).

INPUT
    <file>   a file; - reads standard input.
    decode   hex (white space, line breaks and ':' allowed) when the input is
             text, else the raw bytes.
    encode   JSON from the file or standard input, or inline when the argument
             starts with '{'.

OPTIONS
    --binary    encode: write the raw bytes to standard output instead of hex.
    -h, --help  print this help and exit.
    --          end of options (a file name starting with '-' follows).

EXIT STATUS
    0   success.
    1   internal error (a bug in tncjs; please report it).
    2   malformed input (bad hex, bad JSON, a truncated or invalid batch or
        message), an unreadable file, or a usage error. One line
        "tncjs: <reason>" is printed on standard error; decode errors name the
        byte offset ("... at offset 12").

LIMITS
    Inputs larger than ${MAX_INPUT_BYTES / (1024 * 1024)} MiB are refused (exit status 2).

SECURITY
    tncjs prints only what its input contains; it reads no keys or
    credentials. Decoded output can hold posture data of the endpoint that
    sent it (device IDs, installed packages): treat it like the capture.

EXAMPLES
    $ echo 0200000600000008 | tncjs decode pb-tnc -
    $ tncjs decode pb-tnc batch.hex > batch.json
    $ tncjs encode pb-tnc batch.json
    $ tncjs encode pb-tnc --binary batch.json > batch.bin
    $ tncjs encode pb-tnc '{"direction":"client","type":"CLOSE","messages":[]}'
`;
