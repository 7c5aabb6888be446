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

/* ---- Z85 (RFC 32) ----------------------------------------------------- */
/* Encodes size octets (size % 4 == 0) into dest, which must hold
 * size * 5 / 4 + 1 chars (NUL-terminated). Returns dest, or NULL and EINVAL. */
ZINC_EXPORT char *zinc_z85_encode(char *dest, const uint8_t *data, size_t size);
/* Decodes a NUL-terminated Z85 string (length % 5 == 0) into dest, which must
 * hold strlen(string) * 4 / 5 octets. Returns dest, or NULL and EINVAL. */
ZINC_EXPORT uint8_t *zinc_z85_decode(uint8_t *dest, const char *string);

#ifdef __cplusplus
}
#endif
#endif
