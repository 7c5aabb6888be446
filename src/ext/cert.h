/* CURVE key pairs and certificate files (CZMQ's zcert, pyzmq's zmq.auth).
 *
 * The public functions are declared in include/zinc.h (zinc_curve_keypair,
 * zinc_curve_public, zinc_cert_*). This module is a user of the public API
 * and libsodium only (DESIGN.md: ext -> public API), plus the bounded
 * cursor of src/util for the file parser.
 *
 * File format: ZPL (ZeroMQ RFC 4) with two sections, as CZMQ and pyzmq
 * write them:
 *
 *   #   comment lines                        (any number, anywhere)
 *   metadata
 *       name = "value"                       (CZMQ quotes, pyzmq does not)
 *   curve
 *       public-key = "<40 Z85 characters>"
 *       secret-key = "<40 Z85 characters>"   (only in the secret file)
 *
 * Reading takes untrusted text: every read is bounded by the input's length
 * (no NUL is needed or trusted), every rule failure is EINVAL with the line
 * in zinc_last_error_detail ("PATH:LINE: reason"), and nothing is allocated
 * beyond what the input accounts for (at most ZINC_CERT_FILE_MAX octets,
 * 256 metadata entries). On top of zpl.h's syntax, a certificate needs one
 * public-key (and at most one secret-key, which must belong to it) at level
 * 1 of a "curve" section, and valid, distinct metadata names and values at
 * level 1 of a "metadata" section; other sections, entries and deeper
 * levels are ignored.
 *
 * Secrets: the secret key and its Z85 text live inside the certificate
 * object and are wiped with sodium_memzero when it is freed; file contents
 * that held a secret are wiped before their buffers are freed.
 *
 * cert.c holds the key pairs, the object and its text; cert_file.c reads
 * and writes files on top of the public API and the helpers below (which
 * the tests and the fuzz target use too).
 */
#ifndef ZI_EXT_CERT_H
#define ZI_EXT_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zinc.h"

/* Parses n octets of certificate text (as zinc_cert_from_text); error
 * details start with origin (a path, or "certificate") and the line. */
zinc_cert_t *zi_cert_parse(const uint8_t *p, size_t n, const char *origin);
/* The text of the public (secret false) or secret (secret true) file of c,
 * in a new buffer of *len octets plus a NUL; stamp (may be NULL) goes into
 * the first comment line as the time of writing. Free it with
 * zi_cert_text_free, which wipes it. NULL with errno: EINVAL (secret asked,
 * none held), ENOMEM. */
char *zi_cert_format(const zinc_cert_t *c, bool secret, const char *stamp, size_t *len);
/* Wipes len octets of text (a zi_cert_format result) and frees it. */
void zi_cert_text_free(char *text, size_t len);
/* Wipes c's keys and texts and forgets its secret key (zinc_cert_secret_key
 * then answers NULL) without freeing c; zinc_cert_free calls it. Lets a
 * test see the wiping on memory it still owns. */
void zi_cert_wipe(zinc_cert_t *c);

#endif
