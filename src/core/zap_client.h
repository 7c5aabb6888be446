/* The session's ZAP client (RFC 27): carries one request from a server
 * mechanism to the handler bound at inproc://zeromq.zap.01 in the same
 * context, and its reply back, as libzmq's session does: a pipe is joined
 * to the bound socket (a REP or ROUTER, usually), the request goes out as
 * one message (the empty delimiter first), and the reply comes back on the
 * same pipe. Nothing here blocks: the handler's thread wakes the owner
 * through `wake`, and the owner collects the reply on its own thread.
 *
 * One client serves one request; the owner (a session, on its I/O thread)
 * frees it when the reply is in or the connection ends. Not thread-safe:
 * every function but `wake` runs on the owner's thread.
 */
#ifndef ZI_CORE_ZAP_CLIENT_H
#define ZI_CORE_ZAP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/frame.h"
#include "zinc.h"
#include "zmtp/zap.h"

typedef struct zi_zap_client zi_zap_client_t;

/* Called on the handler's thread (a pipe notification) when a reply may be
 * waiting or the handler went away: must be short and must not block;
 * typically it posts to the owner's reactor. */
typedef void zi_zap_wake_fn(void *arg);

/* Sends req (address: the peer's IP, "" if none) to the handler bound in
 * ctx. NULL with errno ECONNREFUSED when nothing is bound there (then the
 * mechanism does what libzmq does without a handler), ENOMEM. */
zi_zap_client_t *zi_zap_client_start(zinc_ctx_t *ctx, const zmtp_zap_request_t *req,
                                     const char *address, zi_zap_wake_fn *wake, void *arg);

/* After a wake: true when the exchange is over, with *frames and *n the
 * reply's frames (borrowed until zi_zap_client_free; the delimiter first).
 * A handler that closed without replying gives n == 0; a reply with too many
 * frames gives ZMTP_ZAP_REPLY_FRAMES + 1 of them (so both are malformed for
 * zmtp_engine_zap_reply). false: nothing yet (the next flush wakes again). */
bool zi_zap_client_done(zi_zap_client_t *z, zinc_frame_t *const **frames, size_t *n);

/* Ends the exchange: closes our end of the pipe (no wake runs after this
 * returns) and drops the reply. NULL is ignored. */
void zi_zap_client_free(zi_zap_client_t *z);

#endif
