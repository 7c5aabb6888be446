/* zinc: ZeroMQ's wire protocol (ZMTP 3.1) in C11, without libzmq.
 *
 * The one public header. Types are opaque; functions return -1 or NULL and set
 * errno on failure, with libzmq's numeric values for socket types, errors and
 * options, so zinc_strerror(zinc_errno()) reads like zmq_strerror.
 *
 * What exists today is listed in README.md ("What is built"); declarations
 * here are only for what is built.
 */
#ifndef ZINC_H
#define ZINC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ZINC_BUILDING)
#define ZINC_EXPORT __attribute__((visibility("default")))
#else
#define ZINC_EXPORT
#endif

#define ZINC_VERSION_MAJOR 0
#define ZINC_VERSION_MINOR 1
#define ZINC_VERSION_PATCH 0

ZINC_EXPORT void zinc_version(int *major, int *minor, int *patch);

/* ---- socket types (libzmq's numbers) ---------------------------------- */
#define ZINC_PAIR 0
#define ZINC_PUB 1
#define ZINC_SUB 2
#define ZINC_REQ 3
#define ZINC_REP 4
#define ZINC_DEALER 5
#define ZINC_ROUTER 6
#define ZINC_PULL 7
#define ZINC_PUSH 8
#define ZINC_XPUB 9
#define ZINC_XSUB 10
#define ZINC_STREAM 11
#define ZINC_SERVER 12
#define ZINC_CLIENT 13
#define ZINC_RADIO 14
#define ZINC_DISH 15
#define ZINC_GATHER 16
#define ZINC_SCATTER 17
#define ZINC_DGRAM 18
#define ZINC_PEER 19
#define ZINC_CHANNEL 20

/* Upper-case ZMTP name of a socket type ("DEALER"), or NULL if unknown. */
ZINC_EXPORT const char *zinc_socket_type_name(int type);
/* Socket type for a name, any case ("dealer"); -1 and EINVAL if unknown. */
ZINC_EXPORT int zinc_socket_type_from_name(const char *name);
/* true when a socket of type a may talk to a peer of type b (ZMTP rules). */
ZINC_EXPORT bool zinc_socket_types_compatible(int a, int b);

/* ---- flags and events ------------------------------------------------- */
#define ZINC_DONTWAIT 1
#define ZINC_MORE 2
#define ZINC_POLLIN 1
#define ZINC_POLLOUT 2
#define ZINC_POLLERR 4

/* ---- errors ----------------------------------------------------------- */
#define ZINC_HAUSNUMERO 156384712
#define ZINC_EFSM (ZINC_HAUSNUMERO + 51)
#define ZINC_ENOCOMPATPROTO (ZINC_HAUSNUMERO + 52)
#define ZINC_ETERM (ZINC_HAUSNUMERO + 53)
#define ZINC_EMTHREAD (ZINC_HAUSNUMERO + 54)

/* Protocol-error codes (value of a HANDSHAKE_FAILED_PROTOCOL event). */
#define ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED 0x10000000
#define ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND 0x10000001
#define ZINC_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE 0x10000002
#define ZINC_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE 0x10000003
#define ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED 0x10000011
#define ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE 0x10000012
#define ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO 0x10000013
#define ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE 0x10000014
#define ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR 0x10000015
#define ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY 0x10000016
#define ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME 0x10000017
#define ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA 0x10000018
#define ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC 0x11000001
#define ZINC_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH 0x11000002
#define ZINC_PROTOCOL_ERROR_ZAP_UNSPECIFIED 0x20000000
#define ZINC_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY 0x20000001
#define ZINC_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID 0x20000002
#define ZINC_PROTOCOL_ERROR_ZAP_BAD_VERSION 0x20000003
#define ZINC_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE 0x20000004
#define ZINC_PROTOCOL_ERROR_ZAP_INVALID_METADATA 0x20000005

/* errno of the calling thread. */
ZINC_EXPORT int zinc_errno(void);
/* Text for an errno value, including zinc's own (EFSM, ETERM, ...). */
ZINC_EXPORT const char *zinc_strerror(int errnum);

/* ---- socket options: the property table -------------------------------
 *
 * One row per option: every libzmq 4.3 socket option (stable, deprecated and
 * draft), plus zinc's own ("hwm", "copy_threshold"). Rows are static and
 * live for the whole process; the accessors below are thread-safe. Names are
 * compared without case, may carry a "ZMQ_" prefix (any case), may use '-'
 * for '_', and may be aliases ("identity" is "routing_id").
 */
typedef struct zinc_option zinc_option_t;

/* Value types (zinc_option_type). */
#define ZINC_OPT_INT 1       /* C int range */
#define ZINC_OPT_INT64 2     /* int64_t */
#define ZINC_OPT_UINT64 3    /* uint64_t (affinity, as a bitmap) */
#define ZINC_OPT_BOOL 4      /* 0 or 1; text also true/false/yes/no/on/off */
#define ZINC_OPT_BYTES 5     /* binary octets */
#define ZINC_OPT_STRING 6    /* text without NUL octets */
#define ZINC_OPT_CURVE_KEY 7 /* 32 octets; text form is 40 Z85 characters */

/* Access (zinc_option_access): a bit set. */
#define ZINC_OPT_READ 1
#define ZINC_OPT_WRITE 2
#define ZINC_OPT_RW 3

/* When a new value takes effect (zinc_option_takes_effect). */
#define ZINC_OPT_IMMEDIATE 1         /* at once, also for existing connections */
#define ZINC_OPT_NEXT_BIND_CONNECT 2 /* for the next zinc_bind / zinc_connect */
#define ZINC_OPT_NEXT_CONNECTION 3   /* for each connection set up afterwards */

/* Origin (zinc_option_status). */
#define ZINC_OPT_STABLE 0     /* in libzmq 4.3's stable API */
#define ZINC_OPT_DEPRECATED 1 /* deprecated in libzmq, still accepted */
#define ZINC_OPT_DRAFT 2      /* libzmq draft API */
#define ZINC_OPT_ZINC 3       /* zinc's own (libzmq has no such option) */

/* The row for name, or NULL and EINVAL (zinc_last_error_detail() then names
 * the nearest options). */
ZINC_EXPORT const zinc_option_t *zinc_option_find(const char *name);
/* The row for a libzmq option id, or NULL and EINVAL. */
ZINC_EXPORT const zinc_option_t *zinc_option_find_id(int id);
/* Iterator over every row, in table order: NULL gives the first row; the
 * last row gives NULL. */
ZINC_EXPORT const zinc_option_t *zinc_option_next(const zinc_option_t *prev);

/* Canonical lower-case name ("routing_id"). */
ZINC_EXPORT const char *zinc_option_name(const zinc_option_t *o);
/* Aliases, comma-separated ("identity"), or "". */
ZINC_EXPORT const char *zinc_option_aliases(const zinc_option_t *o);
/* libzmq's option id, or -1 for zinc's own options. */
ZINC_EXPORT int zinc_option_id(const zinc_option_t *o);
/* ZINC_OPT_INT ... ZINC_OPT_CURVE_KEY. */
ZINC_EXPORT int zinc_option_type(const zinc_option_t *o);
/* "int", "int64", "uint64", "bool", "bytes", "string", "curve key"; "?" if unknown. */
ZINC_EXPORT const char *zinc_option_type_name(int type);
/* ZINC_OPT_READ, ZINC_OPT_WRITE or ZINC_OPT_RW. */
ZINC_EXPORT int zinc_option_access(const zinc_option_t *o);
/* Default value in text form ("" for empty octets). Some options default
 * differently per socket type (linger is 0 on SUB, XSUB and DISH; type is the
 * socket's type); docs/options.md lists those. */
ZINC_EXPORT const char *zinc_option_default_text(const zinc_option_t *o);
/* Accepted range: values for integer types, lengths in octets for bytes and
 * strings (max INT64_MAX: any length). UINT64 options accept any value
 * (0..INT64_MAX reported) and CURVE keys 32 octets. Returns 0. */
ZINC_EXPORT int zinc_option_range(const zinc_option_t *o, int64_t *min, int64_t *max);
/* true when the option may be used on sockets of that type (libzmq's numbers). */
ZINC_EXPORT bool zinc_option_applies_to(const zinc_option_t *o, int socket_type);
/* ZINC_OPT_IMMEDIATE, ZINC_OPT_NEXT_BIND_CONNECT or ZINC_OPT_NEXT_CONNECTION. */
ZINC_EXPORT int zinc_option_takes_effect(const zinc_option_t *o);
/* ZINC_OPT_STABLE, _DEPRECATED, _DRAFT or _ZINC. */
ZINC_EXPORT int zinc_option_status(const zinc_option_t *o);
/* false while zinc does not implement the option's behaviour yet: setting or
 * getting it then fails with ENOTSUP (it is never silently ignored). */
ZINC_EXPORT bool zinc_option_implemented(const zinc_option_t *o);
/* One line of documentation. */
ZINC_EXPORT const char *zinc_option_doc(const zinc_option_t *o);
/* Up to 3 option names nearest to a misspelled name (edit distance), written
 * to buf comma-separated ("sndhwm, rcvhwm"), NUL-terminated, truncated to cap.
 * Returns how many names were written (0 when nothing is near), or -1 and
 * EINVAL when name or buf is NULL or cap is 0. */
ZINC_EXPORT int zinc_option_suggest(const char *name, char *buf, size_t cap);

/* A sentence about the last failure of a zinc call on this thread, such as
 * "unknown option 'sndhmw' (did you mean sndhwm?)" or "linger: value 'abc' is
 * not an integer"; "" if none. Like errno it is only meaningful right after a
 * call failed; it stays valid until the thread's next failing zinc call. */
ZINC_EXPORT const char *zinc_last_error_detail(void);
/* Sets the calling thread's detail (printf rules, truncated to 255 chars),
 * for code built on this header (src/ext does so) that reports its own
 * failures through zinc_last_error_detail. */
ZINC_EXPORT void zinc_set_error_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- context and sockets ---------------------------------------------- */
typedef struct zinc_ctx zinc_ctx_t;
typedef struct zinc_socket zinc_socket_t;

/* A new context. Its I/O threads start with the first tcp/ipc endpoint. */
ZINC_EXPORT zinc_ctx_t *zinc_ctx_new(void);
/* Ends the context: calls blocked in other threads on its sockets return
 * ETERM (so do later ones); then waits until every socket is closed and every
 * lingering connection is done (bounded by each socket's linger), stops the
 * I/O threads and frees the context. 0, or -1 (EFAULT for NULL). */
ZINC_EXPORT int zinc_ctx_term(zinc_ctx_t *ctx);
/* A context option ("io_threads", "max_sockets", "ipv6", "blocky",
 * "max_msgsz", "thread_name_prefix"), or else a default for every socket
 * made afterwards ("linger" = "0"), applied in the order set and skipped for
 * sockets it does not apply to. A malformed value is refused here (EINVAL). */
ZINC_EXPORT int zinc_ctx_set(zinc_ctx_t *ctx, const char *name, const char *value);
/* *len: buf's capacity in, the text's length out. */
ZINC_EXPORT int zinc_ctx_get(zinc_ctx_t *ctx, const char *name, char *buf, size_t *len);
/* Removes a socket option default (ENOENT when none is set). */
ZINC_EXPORT int zinc_ctx_unset(zinc_ctx_t *ctx, const char *name);

/* A socket of a type above (EINVAL for a type zinc does not build, ETERM
 * after zinc_ctx_term began, EMFILE past max_sockets). A socket is used by
 * one thread at a time: a second thread inside it gets EBUSY. */
ZINC_EXPORT zinc_socket_t *zinc_socket_new(zinc_ctx_t *ctx, int type);
/* Closes the socket now; messages already sent still leave in the
 * background for up to `linger` ms (zinc_ctx_term waits for them). */
ZINC_EXPORT int zinc_socket_close(zinc_socket_t *s);
/* Endpoints: "tcp://host:port" ("*" host, port 0 or "*" for an ephemeral
 * one: read it back with the last_endpoint option), "ipc:///path",
 * "ipc://@abstract", "inproc://name". */
ZINC_EXPORT int zinc_bind(zinc_socket_t *s, const char *endpoint);
ZINC_EXPORT int zinc_connect(zinc_socket_t *s, const char *endpoint);
ZINC_EXPORT int zinc_unbind(zinc_socket_t *s, const char *endpoint);
ZINC_EXPORT int zinc_disconnect(zinc_socket_t *s, const char *endpoint);

/* Socket options by name (any case, "ZMQ_" prefix allowed, aliases such as
 * "identity"): see docs/options.md. Text form: integers, booleans as
 * 1/0/true/false, bytes as given. zinc_get: *len capacity in, length out. */
ZINC_EXPORT int zinc_set(zinc_socket_t *s, const char *name, const char *value);
ZINC_EXPORT int zinc_get(zinc_socket_t *s, const char *name, char *buf, size_t *len);
ZINC_EXPORT int zinc_set_int(zinc_socket_t *s, const char *name, int64_t value);
ZINC_EXPORT int zinc_get_int(zinc_socket_t *s, const char *name, int64_t *value);
ZINC_EXPORT int zinc_set_bytes(zinc_socket_t *s, const char *name, const void *data, size_t len);
ZINC_EXPORT int zinc_get_bytes(zinc_socket_t *s, const char *name, void *buf, size_t *len);

/* ---- frames ----------------------------------------------------------- */
typedef struct zinc_frame zinc_frame_t;
typedef void(zinc_free_fn)(void *data, void *hint);

/* A frame holding a copy of size octets of data (data may be NULL when size
 * is 0). NULL and ENOMEM on failure. The caller owns one reference. */
ZINC_EXPORT zinc_frame_t *zinc_frame_new(const void *data, size_t size);
/* A frame of size octets whose contents the caller fills in through
 * zinc_frame_data_mut before sending it. */
ZINC_EXPORT zinc_frame_t *zinc_frame_new_size(size_t size);
/* A frame that points at the caller's memory without copying it. fn(data,
 * hint) runs exactly once, when the last reference is dropped, on whichever
 * thread drops it (an I/O thread after a send). fn may be NULL. With track,
 * the frame gets a tracker (zinc_frame_tracker) that finishes at that moment. */
ZINC_EXPORT zinc_frame_t *zinc_frame_new_zerocopy(void *data, size_t size, zinc_free_fn *fn,
                                                  void *hint, bool track);
/* Adds a reference; returns f. Thread-safe. */
ZINC_EXPORT zinc_frame_t *zinc_frame_ref(zinc_frame_t *f);
/* Drops a reference; the last one frees the frame. NULL is ignored. */
ZINC_EXPORT void zinc_frame_unref(zinc_frame_t *f);
ZINC_EXPORT const void *zinc_frame_data(const zinc_frame_t *f);
/* Writable data: NULL (EBUSY) when the frame is shared or zero-copy. */
ZINC_EXPORT void *zinc_frame_data_mut(zinc_frame_t *f);
ZINC_EXPORT size_t zinc_frame_size(const zinc_frame_t *f);
/* true when more frames of the same message follow this one. */
ZINC_EXPORT bool zinc_frame_more(const zinc_frame_t *f);
/* Metadata of the connection a received frame came from ("Socket-Type",
 * "Identity", "User-Id", "Peer-Address", X- properties), names compared
 * without case. NULL (ENOENT) when absent. The string lives as long as f. */
ZINC_EXPORT const char *zinc_frame_meta(const zinc_frame_t *f, const char *property);

/* ---- send and receive (flags: ZINC_MORE, ZINC_DONTWAIT) -------------- */
/* Sends a copy of len octets; returns len, or -1 (EAGAIN when it would block
 * with DONTWAIT or past sndtimeo, EFSM, EHOSTUNREACH, ETERM, ...). */
ZINC_EXPORT int zinc_send(zinc_socket_t *s, const void *data, size_t len, int flags);
/* Receives one frame into buf (truncated to cap); returns the frame's full
 * size, or -1 (EAGAIN, EFSM, ETERM, ...). The rcvmore option tells whether
 * more frames of the message follow. */
ZINC_EXPORT int zinc_recv(zinc_socket_t *s, void *buf, size_t cap, int flags);
/* Sends f; on success zinc takes the caller's reference. On failure the
 * caller still owns f. */
ZINC_EXPORT int zinc_send_frame(zinc_socket_t *s, zinc_frame_t *f, int flags);
/* The next frame (the caller owns it; zinc_frame_more tells whether more
 * follow), or NULL with errno. */
ZINC_EXPORT zinc_frame_t *zinc_recv_frame(zinc_socket_t *s, int flags);

/* ---- trackers --------------------------------------------------------
 * A tracker finishes when every frame it tracks has been released by zinc
 * and by the application: for a sent frame, when its bytes have been written
 * (or dropped) and its memory is no longer used. It stays valid after its
 * frames are gone, until zinc_tracker_free. Thread-safe.
 */
typedef struct zinc_tracker zinc_tracker_t;

/* The tracker of a frame made with track = true, else NULL (ENOENT). The
 * application frees it with zinc_tracker_free, once, whenever it likes. */
ZINC_EXPORT zinc_tracker_t *zinc_frame_tracker(zinc_frame_t *f);
/* A tracker that covers several frames (a whole multipart send): attach each
 * with zinc_frame_track. A tracker with no frame attached is done. */
ZINC_EXPORT zinc_tracker_t *zinc_tracker_new(void);
/* Attaches t to f (f must not have a tracker yet: EBUSY). */
ZINC_EXPORT int zinc_frame_track(zinc_frame_t *f, zinc_tracker_t *t);
ZINC_EXPORT bool zinc_tracker_done(const zinc_tracker_t *t);
/* Waits until done: 0, or -1 with EAGAIN after timeout_ms (-1: forever). */
ZINC_EXPORT int zinc_tracker_wait(zinc_tracker_t *t, int timeout_ms);
/* A file descriptor that becomes readable (and stays so) once t is done, for
 * event loops; owned by the tracker. -1 and errno on failure. */
ZINC_EXPORT int zinc_tracker_fd(zinc_tracker_t *t);
ZINC_EXPORT void zinc_tracker_free(zinc_tracker_t *t);

/* ---- helpers: text, JSON, multipart, serialization ----------------------
 * Conveniences over zinc_send_frame / zinc_recv_frame, as pyzmq's. Each
 * receive consumes what it reads even when it then fails (EILSEQ, EPROTO):
 * a bad frame never blocks the ones behind it. Flags: ZINC_MORE (sends
 * only), ZINC_DONTWAIT.
 */

/* Frees what zinc_recv_string returns (and any other memory zinc hands out
 * without a type-specific free). NULL is ignored. */
ZINC_EXPORT void zinc_free(void *p);

/* Sends str (NUL-terminated UTF-8, the NUL not sent) as one frame. Returns
 * its length, or -1: EILSEQ when str is not valid UTF-8 (nothing is sent),
 * EINVAL for NULL or a string over INT32_MAX octets, else zinc_send's. */
ZINC_EXPORT int zinc_send_string(zinc_socket_t *s, const char *str, int flags);
/* Receives one frame as text: a NUL-terminated copy to free with zinc_free.
 * NULL with EILSEQ when the frame is not valid UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF) or contains a NUL octet; the
 * frame is consumed anyway. Else NULL with zinc_recv_frame's errno. */
ZINC_EXPORT char *zinc_recv_string(zinc_socket_t *s, int flags);

/* cJSON (https://github.com/DaveGamble/cJSON); include <cjson/cJSON.h> to
 * build or read the values. */
struct cJSON;
/* Sends json printed without formatting, as one frame. Returns the text's
 * length, or -1: EINVAL for NULL or a value cJSON cannot print, ENOMEM, else
 * zinc_send's. */
ZINC_EXPORT int zinc_send_json(zinc_socket_t *s, const struct cJSON *json, int flags);
/* Receives one frame and parses it as one JSON value (whitespace around it
 * allowed). The caller frees the result with cJSON_Delete. NULL with EILSEQ
 * when the frame is not UTF-8 or contains a NUL octet, EPROTO when it is not
 * JSON (zinc_last_error_detail says where), ENOMEM, or zinc_recv_frame's
 * errno; the frame is consumed in every case. */
ZINC_EXPORT struct cJSON *zinc_recv_json(zinc_socket_t *s, int flags);

/* A received or hand-built multipart message: frames in order. Opaque;
 * freed, with every frame it holds, by zinc_multipart_free. */
typedef struct zinc_multipart zinc_multipart_t;
/* An empty message to fill with zinc_multipart_add*; NULL and ENOMEM. */
ZINC_EXPORT zinc_multipart_t *zinc_multipart_new(void);
/* Appends f; the message takes the caller's reference on success (0). -1
 * with EINVAL (NULL) or ENOMEM, and then f is still the caller's. */
ZINC_EXPORT int zinc_multipart_add(zinc_multipart_t *m, zinc_frame_t *f);
/* Appends a frame holding a copy of size octets of data. 0, or -1 (EINVAL,
 * ENOMEM). */
ZINC_EXPORT int zinc_multipart_add_copy(zinc_multipart_t *m, const void *data, size_t size);
/* Number of frames. */
ZINC_EXPORT size_t zinc_multipart_count(const zinc_multipart_t *m);
/* Frame i (borrowed: valid until zinc_multipart_free; zinc_frame_ref to keep
 * it longer), or NULL and EINVAL past the end. */
ZINC_EXPORT zinc_frame_t *zinc_multipart_frame(const zinc_multipart_t *m, size_t i);
/* The frames as an array of zinc_multipart_count entries (borrowed), e.g. to
 * pass to zinc_send_multipart. NULL when there are none. */
ZINC_EXPORT zinc_frame_t *const *zinc_multipart_frames(const zinc_multipart_t *m);
/* Total octets over every frame. */
ZINC_EXPORT size_t zinc_multipart_bytes(const zinc_multipart_t *m);
/* Drops every frame and the message. NULL is ignored. */
ZINC_EXPORT void zinc_multipart_free(zinc_multipart_t *m);

/* Sends count frames as one message (with ZINC_MORE in flags, the last frame
 * also says more follow). All or nothing: the arguments are checked first,
 * and a message is never left half sent (frames after the first of a message
 * never wait for the high-water mark). The frames are borrowed, never taken:
 * zinc adds its own references, and the caller unrefs its frames afterwards
 * whatever the result, so a zinc_multipart_t can be sent and then freed.
 * 0, or -1: EINVAL (no frame, a NULL frame), else zinc_send_frame's (EAGAIN:
 * nothing was sent). */
ZINC_EXPORT int zinc_send_multipart(zinc_socket_t *s, zinc_frame_t *const *frames, size_t count,
                                    int flags);
/* One part of a message to copy. */
typedef struct zinc_buf {
    const void *data; /* may be NULL when size is 0 */
    size_t size;
} zinc_buf_t;
/* As zinc_send_multipart, from buffers that are copied before anything is
 * sent (ENOMEM then sends nothing). */
ZINC_EXPORT int zinc_send_multipart_bufs(zinc_socket_t *s, const zinc_buf_t *parts, size_t count,
                                         int flags);
/* Receives a whole message (every frame up to the one without more). NULL
 * with errno when the first frame cannot be had (EAGAIN, ETERM, ...);
 * frames of the message read before a later failure are dropped. */
ZINC_EXPORT zinc_multipart_t *zinc_recv_multipart(zinc_socket_t *s, int flags);

/* Serializer for zinc_send_serialized: appends the frames of one message
 * describing obj to m (zinc_multipart_add / _add_copy). Returns 0, or -1
 * with errno set (the send then fails with that errno, EINVAL if none). */
typedef int(zinc_serialize_fn)(const void *obj, zinc_multipart_t *m, void *hint);
/* Deserializer for zinc_recv_serialized: builds an object from a received
 * message (its frames are borrowed for the call). Returns it, or NULL with
 * errno set (EPROTO if none). */
typedef void *(zinc_deserialize_fn)(const zinc_multipart_t *m, void *hint);
/* Serializes obj through fn and sends the frames as one message (as
 * zinc_send_multipart). 0, or -1: EINVAL (no fn, or fn made no frame),
 * fn's errno, else zinc_send_multipart's. */
ZINC_EXPORT int zinc_send_serialized(zinc_socket_t *s, const void *obj, zinc_serialize_fn *fn,
                                     void *hint, int flags);
/* Receives one whole message and returns fn's object for it (the message is
 * consumed whatever fn answers). NULL with fn's errno, or as
 * zinc_recv_multipart. */
ZINC_EXPORT void *zinc_recv_serialized(zinc_socket_t *s, zinc_deserialize_fn *fn, void *hint,
                                       int flags);

/* ---- polling: sockets and file descriptors together ---------------------
 * docs/event-loops.md explains the `fd` and `events` options and the rule an
 * external event loop must follow. The poller and zinc_poll follow it for
 * you: they read each socket's events before sleeping and after waking.
 * Sockets are polled for ZINC_POLLIN / ZINC_POLLOUT (never POLLERR). File
 * descriptors for ZINC_POLLIN / ZINC_POLLOUT; ZINC_POLLERR is reported for
 * them whether asked or not (poll(2)'s POLLERR, POLLHUP, POLLNVAL), as libzmq.
 * A poller, like a socket, is used by one thread at a time, and that thread
 * must be allowed to use its sockets.
 */

/* libzmq's zmq_pollitem_t: a socket, or (socket NULL) a file descriptor. */
typedef struct zinc_pollitem {
    zinc_socket_t *socket;
    int fd;
    short events;  /* in: ZINC_POLLIN | ZINC_POLLOUT (| ZINC_POLLERR) */
    short revents; /* out */
} zinc_pollitem_t;

/* Waits until an item is ready or timeout_ms passes (-1: no limit, 0: just
 * look). Sets every item's revents; returns how many items have revents
 * set (0 on timeout), or -1: ETERM (a socket's context is terminating),
 * EINTR (a signal), EINVAL (n < 0, items NULL with n > 0, no item and no
 * timeout), ENOTSOCK, ENOMEM. */
ZINC_EXPORT int zinc_poll(zinc_pollitem_t *items, int n, long timeout_ms);

typedef struct zinc_poller zinc_poller_t;
/* One ready item, as zinc_poller_wait reports it. */
typedef struct zinc_poller_event {
    zinc_socket_t *socket; /* the socket, or NULL for a file descriptor */
    int fd;                /* the file descriptor, or -1 for a socket */
    void *user;            /* as given to zinc_poller_add / _add_fd */
    short events;          /* ready: ZINC_POLLIN | ZINC_POLLOUT | ZINC_POLLERR */
} zinc_poller_event_t;

/* A new, empty poller; NULL and ENOMEM. */
ZINC_EXPORT zinc_poller_t *zinc_poller_new(void);
/* Frees the poller (not its sockets or fds). NULL is ignored. */
ZINC_EXPORT void zinc_poller_free(zinc_poller_t *p);
/* Adds a socket or an fd with the events to wait for (0 is allowed: the item
 * stays registered but is never ready, except POLLERR for an fd). 0, or -1:
 * EINVAL (already added, bad events), ENOTSOCK, EBADF (fd < 0), ENOMEM. */
ZINC_EXPORT int zinc_poller_add(zinc_poller_t *p, zinc_socket_t *s, void *user, short events);
ZINC_EXPORT int zinc_poller_add_fd(zinc_poller_t *p, int fd, void *user, short events);
/* Changes the events of an item (EINVAL when it was not added). */
ZINC_EXPORT int zinc_poller_modify(zinc_poller_t *p, zinc_socket_t *s, short events);
ZINC_EXPORT int zinc_poller_modify_fd(zinc_poller_t *p, int fd, short events);
/* Removes an item (EINVAL when it was not added). Remove a socket before
 * closing it. */
ZINC_EXPORT int zinc_poller_remove(zinc_poller_t *p, zinc_socket_t *s);
ZINC_EXPORT int zinc_poller_remove_fd(zinc_poller_t *p, int fd);
/* Number of items. */
ZINC_EXPORT int zinc_poller_size(const zinc_poller_t *p);
/* Waits as zinc_poll and writes up to max ready items to out, in the order
 * they were added (max >= zinc_poller_size sees them all). Returns how many
 * (0 on timeout), or -1 as zinc_poll (EINVAL also for out NULL or max < 1). */
ZINC_EXPORT int zinc_poller_wait(zinc_poller_t *p, zinc_poller_event_t *out, int max,
                                 long timeout_ms);

/* ---- Z85 (RFC 32) ----------------------------------------------------- */
/* Encodes size octets (size % 4 == 0) into dest, which must hold
 * size * 5 / 4 + 1 chars (NUL-terminated). Returns dest, or NULL and EINVAL. */
ZINC_EXPORT char *zinc_z85_encode(char *dest, const uint8_t *data, size_t size);
/* Decodes a NUL-terminated Z85 string (length % 5 == 0) into dest, which must
 * hold strlen(string) * 4 / 5 octets. Returns dest, or NULL and EINVAL. */
ZINC_EXPORT uint8_t *zinc_z85_decode(uint8_t *dest, const char *string);

/* ---- CURVE keys and certificates ----------------------------------------
 * Key pairs as libzmq's zmq_curve_keypair / zmq_curve_public make them, and
 * the certificate files CZMQ's zcert and pyzmq's zmq.auth write and read: a
 * public file NAME (by convention NAME.key) and a secret one NAME_secret, in
 * ZPL (ZeroMQ RFC 4), with a "metadata" and a "curve" section:
 *
 *   #   comment lines
 *   metadata
 *       name = "value"
 *   curve
 *       public-key = "<40 Z85 characters>"
 *       secret-key = "<40 Z85 characters>"      (secret file only)
 *
 * A certificate object is used by one thread at a time; distinct objects are
 * independent. Every function that fails returns -1 or NULL with errno set
 * and zinc_last_error_detail() saying why (for a file: which line, which rule).
 */

/* A new key pair (libsodium's crypto_box_keypair) as two 40-character Z85
 * strings; each buffer must hold 41 chars. 0, or -1: EINVAL (a NULL buffer),
 * ENOTSUP (libsodium could not be initialised). */
ZINC_EXPORT int zinc_curve_keypair(char *z85_public, char *z85_secret);
/* The public key (41 chars, Z85) of a 40-character Z85 secret key. 0, or -1
 * with EINVAL (NULL, not 40 characters, not Z85), ENOTSUP as above. */
ZINC_EXPORT int zinc_curve_public(char *z85_public, const char *z85_secret);

typedef struct zinc_cert zinc_cert_t;

/* Longest metadata name and value, in octets. */
#define ZINC_CERT_META_NAME_MAX 255
#define ZINC_CERT_META_VALUE_MAX 4096
/* Largest certificate file zinc_cert_load reads. */
#define ZINC_CERT_FILE_MAX 65536

/* A certificate with a fresh key pair and no metadata; NULL with ENOMEM or
 * ENOTSUP (libsodium could not be initialised). */
ZINC_EXPORT zinc_cert_t *zinc_cert_new(void);
/* A certificate of the given keys (32 octets each, copied); secret_key may be
 * NULL for a public-only certificate. A secret key that does not belong to
 * public_key is EINVAL. */
ZINC_EXPORT zinc_cert_t *zinc_cert_new_from(const uint8_t *public_key, const uint8_t *secret_key);
/* Parses certificate text (the contents of a file; len octets, no NUL
 * needed). Lines end with LF, CR or CRLF; comments and blank lines are
 * skipped; names follow RFC 4; values may be quoted with " or ' or bare;
 * sections and entries other than metadata, public-key and secret-key are
 * ignored. NULL with EINVAL when the text is malformed: no public-key, a key
 * that is not 40 Z85 characters for 32 octets, a secret key that does not
 * belong to the public key, a duplicate key or metadata name, a metadata
 * name or value zinc_cert_set_meta would refuse, bad indentation, control
 * characters, more than ZINC_CERT_FILE_MAX octets. ENOMEM. */
ZINC_EXPORT zinc_cert_t *zinc_cert_from_text(const char *text, size_t len);
/* Loads the certificate file at path, and path + "_secret" when that exists
 * (CZMQ's and pyzmq's pair): the secret file gives the secret key, which
 * must match, and metadata the public file lacks. A missing or unreadable
 * (EACCES) secret file is not an error: the certificate then has no secret
 * key. NULL with: the errno of opening or reading path (ENOENT, EACCES, ...);
 * EINVAL (path NULL, not a regular file, larger than ZINC_CERT_FILE_MAX,
 * malformed as zinc_cert_from_text says, or the two files disagree); ENOMEM.
 * Blocks on file I/O. */
ZINC_EXPORT zinc_cert_t *zinc_cert_load(const char *path);
/* Writes the pair: path (public: metadata and public-key, mode 0644) and
 * path + "_secret" (both keys, mode 0600 from its creation on). Each file is
 * written to a temporary name beside it and renamed into place, so a reader
 * never sees half a file. 0, or -1: EINVAL (NULL, no secret key: then
 * nothing is written), or the errno of creating or writing a file. */
ZINC_EXPORT int zinc_cert_save(const zinc_cert_t *cert, const char *path);
/* Writes only the public file at path (mode 0644). 0 or -1 as above. */
ZINC_EXPORT int zinc_cert_save_public(const zinc_cert_t *cert, const char *path);
/* Writes only the secret file, at path itself (mode 0600). 0 or -1 (EINVAL
 * without a secret key). */
ZINC_EXPORT int zinc_cert_save_secret(const zinc_cert_t *cert, const char *path);
/* The public key: 32 octets, owned by the certificate. */
ZINC_EXPORT const uint8_t *zinc_cert_public_key(const zinc_cert_t *cert);
/* The secret key: 32 octets, or NULL when the certificate has none. */
ZINC_EXPORT const uint8_t *zinc_cert_secret_key(const zinc_cert_t *cert);
/* The public key as 40 Z85 characters (NUL-terminated). */
ZINC_EXPORT const char *zinc_cert_public_txt(const zinc_cert_t *cert);
/* The secret key as 40 Z85 characters, or NULL when there is none. */
ZINC_EXPORT const char *zinc_cert_secret_txt(const zinc_cert_t *cert);
/* Sets (or, value NULL, removes) a metadata entry; names are compared with
 * case. 0, or -1: EINVAL when the name is empty, longer than
 * ZINC_CERT_META_NAME_MAX or has a character outside RFC 4's name set
 * (letters, digits, $ - _ @ . & + /), or the value is longer than
 * ZINC_CERT_META_VALUE_MAX, not UTF-8, has a control character other than
 * TAB, or holds both kinds of quote (ZPL cannot write it); ENOMEM. */
ZINC_EXPORT int zinc_cert_set_meta(zinc_cert_t *cert, const char *name, const char *value);
/* A metadata value, or NULL when the name is not set. */
ZINC_EXPORT const char *zinc_cert_meta(const zinc_cert_t *cert, const char *name);
/* Number of metadata entries, and the name of entry i (in the order they
 * were set or read; NULL past the end). */
ZINC_EXPORT size_t zinc_cert_meta_count(const zinc_cert_t *cert);
ZINC_EXPORT const char *zinc_cert_meta_name(const zinc_cert_t *cert, size_t i);
/* A copy (keys and metadata); NULL with ENOMEM or EINVAL. */
ZINC_EXPORT zinc_cert_t *zinc_cert_dup(const zinc_cert_t *cert);
/* Sets the socket's curve_publickey and curve_secretkey from the
 * certificate (CZMQ's zcert_apply); curve_server and curve_serverkey are the
 * caller's. 0, or -1: EINVAL (NULL, or no secret key: nothing is set), or
 * zinc_set_bytes's errno. */
ZINC_EXPORT int zinc_cert_apply(const zinc_cert_t *cert, zinc_socket_t *socket);
/* Wipes the keys (sodium_memzero) and frees the certificate. NULL is
 * ignored. */
ZINC_EXPORT void zinc_cert_free(zinc_cert_t *cert);

#ifdef __cplusplus
}
#endif
#endif
