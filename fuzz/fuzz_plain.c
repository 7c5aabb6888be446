/* Fuzz target: the PLAIN handshake (RFC 24) and the engine's ZAP client, in
 * both roles, fed what a peer might send. The harness is in fuzz_mech.h. */
#define FUZZ_MECH ZMTP_MECH_PLAIN
#include "fuzz_mech.h"
