/* Fuzz target: a whole engine in the client role (as_server = 0), fed what a
 * server peer might send. The harness is in fuzz_engine.h. */
#define FUZZ_ENGINE_AS_SERVER false
#include "fuzz_engine.h"
