/* Fuzz target: the CURVE handshake (RFC 25/26) and MESSAGE boxes, in both
 * roles, with fixed keys and deterministic randomness, fed what a peer might
 * send. The harness is in fuzz_mech.h. */
#define FUZZ_MECH ZMTP_MECH_CURVE
#include "fuzz_mech.h"
