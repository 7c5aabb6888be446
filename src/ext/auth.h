/* The authenticator: a ZAP handler (RFC 27) on its own thread, written
 * against the public API only (include/zinc.h, "the authenticator"), as
 * every module of src/ext is.
 *
 * Threads: zinc_auth_new and zinc_auth_free run on the caller's thread; the
 * configuration calls on any thread (one mutex guards the configuration and
 * the log hook; the handler thread holds it while it decides one request,
 * never while it waits). The handler thread owns the ROUTER bound at
 * inproc://zeromq.zap.01 from zinc_auth_new until it ends: on a byte on the
 * stop pipe (zinc_auth_free), or on ETERM (zinc_ctx_term), when it closes
 * the socket. The log hook is called on the handler thread, with the mutex
 * held: it must not call back into the authenticator.
 */
#ifndef ZI_EXT_AUTH_H
#define ZI_EXT_AUTH_H

#include "zinc.h"

#endif
