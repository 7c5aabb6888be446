/* Zero-copy sends with trackers.
 *
 * 1. A 768 KiB buffer goes out over tcp without being copied: zinc writes it
 *    straight from the application's memory. Its tracker says when zinc is
 *    done with that memory (the I/O thread wrote it), so the buffer may be
 *    reused; the free function runs at that same moment.
 * 2. One tracker covering a whole multipart message.
 * 3. copy_threshold (pyzmq's, default 65536): a small zero-copy frame is
 *    copied instead, so its tracker is done as soon as the send returns.
 * Exits 0 when the receiver got every byte and every tracker finished.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zinc.h"

static atomic_int released; /* free-function calls, from whichever thread */

static void on_release(void *data, void *hint)
{
    (void)data;
    (void)hint;
    atomic_fetch_add(&released, 1);
}

static zinc_socket_t *make_socket(zinc_ctx_t *ctx, int type)
{
    zinc_socket_t *s = zinc_socket_new(ctx, type);
    if (s && (zinc_set_int(s, "linger", 0) != 0 || zinc_set_int(s, "rcvtimeo", 2000) != 0 ||
              zinc_set_int(s, "sndtimeo", 2000) != 0)) {
        zinc_socket_close(s);
        s = NULL;
    }
    return s;
}

static int fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, zinc_strerror(errno));
    return 1;
}

int main(void)
{
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *pull = make_socket(ctx, ZINC_PULL), *push = make_socket(ctx, ZINC_PUSH);
    char ep[64];
    size_t len = sizeof ep;
    if (!pull || !push || zinc_bind(pull, "tcp://127.0.0.1:*") != 0 ||
        zinc_get(pull, "last_endpoint", ep, &len) != 0 || zinc_connect(push, ep) != 0)
        return fail("setup");

    /* 1. A big buffer, tracked. */
    size_t size = 768u << 10;
    unsigned char *big = malloc(size);
    if (!big)
        return 1;
    for (size_t i = 0; i < size; i++)
        big[i] = (unsigned char)(i * 31);
    zinc_frame_t *f = zinc_frame_new_zerocopy(big, size, on_release, NULL, true);
    zinc_tracker_t *t = zinc_frame_tracker(f);
    if (!f || !t || zinc_send_frame(push, f, 0) != 0) /* zinc now owns f */
        return fail("send");
    printf("sent %zu octets zero-copy; tracker done: %s\n", size,
           zinc_tracker_done(t) ? "yes" : "not yet");
    zinc_frame_t *got = zinc_recv_frame(pull, 0);
    if (!got || zinc_frame_size(got) != size || memcmp(zinc_frame_data(got), big, size) != 0)
        return fail("receive");
    zinc_frame_unref(got);
    if (zinc_tracker_wait(t, 2000) != 0)
        return fail("tracker");
    printf("tracker done: zinc no longer uses the buffer (free function ran %d time)\n",
           atomic_load(&released));
    zinc_tracker_free(t);
    memset(big, 0, size); /* ours again */

    /* 2. One tracker for a two-part message (256 KiB each, over copy_threshold). */
    size_t part = 256u << 10;
    zinc_tracker_t *all = zinc_tracker_new();
    zinc_frame_t *parts[2] = {
        zinc_frame_new_zerocopy(big, part, on_release, NULL, false),
        zinc_frame_new_zerocopy(big + part, part, on_release, NULL, false),
    };
    if (!all || !parts[0] || !parts[1] || zinc_frame_track(parts[0], all) != 0 ||
        zinc_frame_track(parts[1], all) != 0)
        return fail("multipart tracker");
    /* zinc_send_multipart borrows the frames: drop ours after the call. */
    int rc = zinc_send_multipart(push, parts, 2, 0);
    zinc_frame_unref(parts[0]);
    zinc_frame_unref(parts[1]);
    if (rc != 0)
        return fail("send multipart");
    zinc_multipart_t *m = zinc_recv_multipart(pull, 0);
    if (!m || zinc_multipart_count(m) != 2 || zinc_multipart_bytes(m) != 2 * part)
        return fail("receive multipart");
    zinc_multipart_free(m);
    if (zinc_tracker_wait(all, 2000) != 0)
        return fail("multipart tracker wait");
    printf("one tracker for both parts: done\n");
    zinc_tracker_free(all);

    /* 3. Under copy_threshold: copied, so the tracker is born done. */
    static char small[] = "small message";
    f = zinc_frame_new_zerocopy(small, sizeof small, on_release, NULL, true);
    t = zinc_frame_tracker(f);
    if (!f || !t || zinc_send_frame(push, f, 0) != 0)
        return fail("send small");
    printf("small zero-copy frame (%zu < 65536 octets): tracker done at once: %s\n", sizeof small,
           zinc_tracker_done(t) ? "yes" : "no");
    int born_done = zinc_tracker_done(t);
    zinc_tracker_free(t);
    char buf[64];
    if (zinc_recv(pull, buf, sizeof buf, 0) != (int)sizeof small)
        return fail("receive small");

    free(big);
    zinc_socket_close(push);
    zinc_socket_close(pull);
    zinc_ctx_term(ctx);
    int ok = born_done && atomic_load(&released) == 4;
    printf("%s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
