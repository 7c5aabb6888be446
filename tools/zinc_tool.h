/* The `zinc` command-line tool: what its source files share.
 *
 * tools/zinc.c dispatches subcommands (help, version), tools/zinc_cat.c is
 * `zinc cat`, tools/zinc_demo.c, zinc_demo_msg.c and zinc_demo_peer.c are
 * `zinc demo`, tools/zinc_keygen.c is `zinc keygen`.
 * The tool is a user of the public API (include/zinc.h) and nothing else.
 * Everything here runs on the main thread unless a comment says otherwise.
 */
#ifndef ZINC_TOOL_H
#define ZINC_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zinc.h"

/* Exit statuses (the `zinc cat` contract). */
#define ZT_EXIT_OK 0
#define ZT_EXIT_TIMEOUT 1
#define ZT_EXIT_USAGE 2
#define ZT_EXIT_RUNTIME 3

/* Subcommands: argv[0] is the subcommand's name. They return the exit
 * status. */
int zt_cat_main(int argc, char **argv);
int zt_demo_main(int argc, char **argv);
int zt_keygen_main(int argc, char **argv);

/* Parses a whole decimal integer in [min, max]; false when text is not one
 * (empty, trailing characters, out of range). */
bool zt_parse_int(const char *text, int64_t min, int64_t max, int64_t *out);

/* Milliseconds on a monotonic clock. */
int64_t zt_now_ms(void);
/* Microseconds on a monotonic clock. */
int64_t zt_now_us(void);
/* Sleeps ms milliseconds (restarting after signals). */
void zt_sleep_ms(int64_t ms);

/* Whether zinc builds sockets of a type: makes one and closes it. */
bool zt_type_built(zinc_ctx_t *ctx, int type);

/* ---- shared by zinc_demo.c and zinc_demo_peer.c -------------------------
 *
 * The demo's standard messages (tools/demo_peer.py computes the same):
 * messages 0..5 are one frame of 0, 1, 255, 256, 65536 and 1048576 octets;
 * message 6 is three frames of 7, 100000 and 0 octets. Octet i of frame f of
 * message m is (i * 131 + m * 7 + f * 3 + 1) % 251.
 */
#define ZT_DEMO_MESSAGES 7
#define ZT_DEMO_MAX_FRAMES 8

/* A message received whole. */
typedef struct {
    zinc_frame_t *f[ZT_DEMO_MAX_FRAMES];
    size_t n;
} zt_msg_t;

/* A socket with the demo's timeouts (rcvtimeo, sndtimeo) and linger 0;
 * NULL with errno. */
zinc_socket_t *zt_demo_socket(zinc_ctx_t *ctx, int type);
/* Sends standard message m, after an envelope frame when env is not NULL.
 * 0 or -1 with errno. */
int zt_demo_send(zinc_socket_t *s, int m, const zt_msg_t *env);
/* Receives a whole message. 0 or -1 with errno (E2BIG past
 * ZT_DEMO_MAX_FRAMES frames). */
int zt_msg_recv(zinc_socket_t *s, zt_msg_t *msg);
/* Sends every frame of msg from frame `from` on (ownership passes on). 0 or
 * -1 with errno; msg is empty afterwards either way. */
int zt_msg_send(zinc_socket_t *s, zt_msg_t *msg, size_t from);
void zt_msg_clear(zt_msg_t *msg);
/* Whether msg, from frame `from` on, is standard message m; if not, why is
 * set. */
bool zt_demo_is(const zt_msg_t *msg, size_t from, int m, char *why, size_t cap);
/* Receives and checks standard message m (with an envelope first when
 * env_out is not NULL: it gets that frame). false with why set. */
bool zt_demo_expect(zinc_socket_t *s, int m, zt_msg_t *env_out, char *why, size_t cap);

/* The libzmq section of the demo: returns the number of failures. */
int zt_demo_libzmq(zinc_ctx_t *ctx);

#endif
