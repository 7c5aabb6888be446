/* Fuzz target: a whole engine in the server role (as_server = 1), fed what a
 * client peer might send. The harness is in fuzz_engine.h. */
#define FUZZ_ENGINE_AS_SERVER true
#include "fuzz_engine.h"
