/* ZAP (RFC 27), the engine's side: the request a server mechanism makes
 * (PLAIN after HELLO, CURVE after INITIATE) and the checks on the handler's
 * reply. No I/O: the engine hands the request to its on_zap_request
 * callback, and whoever carries it to the handler bound at
 * inproc://zeromq.zap.01 (the session) feeds the reply frames back through
 * zmtp_engine_zap_reply. Pure functions, callable from any thread.
 *
 * Frames, as libzmq sends and expects them (each "frame" below is one ZMTP
 * message part; the first, empty one is the delimiter a REP or ROUTER
 * handler expects):
 *   request: "" "1.0" request-id domain address identity mechanism credentials...
 *   reply:   "" "1.0" request-id status-code status-text user-id metadata
 */
#ifndef ZI_ZMTP_ZAP_H
#define ZI_ZMTP_ZAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "util/err.h"
#include "util/props.h"

#define ZMTP_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZMTP_ZAP_VERSION "1.0"
#define ZMTP_ZAP_REQUEST_ID "1" /* one request per connection, as libzmq */
#define ZMTP_ZAP_CRED_MAX 2
#define ZMTP_ZAP_REQUEST_FRAMES (7 + ZMTP_ZAP_CRED_MAX)
#define ZMTP_ZAP_REPLY_FRAMES 7

typedef struct {
    const char *mechanism;   /* "PLAIN", "CURVE" */
    const char *domain;      /* zap_domain, "" when unset */
    const uint8_t *identity; /* our socket's routing id, as libzmq sends it */
    size_t identity_len;
    const uint8_t *cred[ZMTP_ZAP_CRED_MAX]; /* PLAIN: user name, password; */
    size_t cred_len[ZMTP_ZAP_CRED_MAX];     /* CURVE: the client's 32-octet key */
    size_t ncred;
} zmtp_zap_request_t;

/* The request as frames (the delimiter first, MORE set on all but the last);
 * address is the peer's address as libzmq gives it (the IP, no port; "" if
 * unknown). Fills out[0..ZMTP_ZAP_REQUEST_FRAMES) and returns the count, or
 * 0 on ENOMEM (nothing left allocated). */
size_t zmtp_zap_request_frames(const zmtp_zap_request_t *req, const char *address,
                               zinc_frame_t **out);

typedef struct {
    int status;             /* 200, 300, 400 or 500 */
    const uint8_t *user_id; /* view into the frames */
    size_t user_id_len;
    zi_props_t *meta; /* the reply's metadata (a new list; unref it) */
} zmtp_zap_reply_t;

/* Validates a reply (RFC 27 "Reply"): seven frames, the delimiter empty,
 * MORE on all but the last, version "1.0", our request id, a status of
 * 200/300/400/500, metadata well formed. On failure returns ZI_EPROTO (or
 * ZI_ENOMEM) with *protocol set to libzmq's code (ZAP_MALFORMED_REPLY,
 * ZAP_BAD_VERSION, ZAP_BAD_REQUEST_ID, ZAP_INVALID_STATUS_CODE,
 * ZAP_INVALID_METADATA) and nothing to release. */
ZI_MUST_USE zi_err zmtp_zap_reply_parse(zinc_frame_t *const *frames, size_t n,
                                        zmtp_zap_reply_t *out, uint32_t *protocol);

#endif
