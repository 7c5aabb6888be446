/* bench_raw_tcp: what loopback TCP itself allows, with no messaging library,
 * so every zinc and libzmq row can be read against the physical limit.
 *
 *   --mode stream    the client writes --batch octets per write (64K) for
 *                    --max-secs; the server reads 256 KiB at a time.
 *                    Reports MB/s.
 *   --mode frames    the client packs --size-octet frames with ZMTP framing
 *                    (flags, length) into --batch-octet writes (8K); the
 *                    server reads 64 KiB at a time and parses every frame
 *                    back. Reports frames/s: the ceiling for small messages.
 *   --mode pingpong  --size-octet (1) ping-pong with TCP_NODELAY, --count
 *                    round trips after --warmup. Reports half the round trip.
 *
 * The server process pins to CPU 0 and the client to CPU 1 (--pin split) or
 * both to CPU 0 (--pin shared).
 *
 * Output, one line on stdout:
 *   RESULT prog=raw mode=stream transport=tcp size=65536 pin=split ... <metric>=...
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_common.h"

static int raw_fail(const char *what)
{
    return bench_fail(what, strerror(errno));
}

/* Reads exactly n octets; 0, or -1 (EOF gives EPIPE). */
static int raw_read_full(int fd, uint8_t *buf, size_t n)
{
    while (n) {
        ssize_t k = read(fd, buf, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EPIPE;
            return -1;
        }
        buf += k;
        n -= (size_t)k;
    }
    return 0;
}

static int raw_write_full(int fd, const uint8_t *buf, size_t n)
{
    while (n) {
        ssize_t k = write(fd, buf, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        buf += k;
        n -= (size_t)k;
    }
    return 0;
}

static void raw_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Bounds every read and write, so a stuck peer ends the run. */
static void raw_timeouts(int fd, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* ---- ZMTP-style framing (RFC 23: short frames up to 255 octets) ---------- */

static size_t raw_frame_header(uint8_t *h, size_t size)
{
    if (size <= 255) {
        h[0] = 0;
        h[1] = (uint8_t)size;
        return 2;
    }
    h[0] = 2;
    for (int i = 0; i < 8; i++)
        h[1 + i] = (uint8_t)((uint64_t)size >> (56 - 8 * i));
    return 9;
}

typedef struct {
    uint8_t head[9];
    size_t head_have, head_need;
    uint64_t body_left;
    uint64_t frames;
} raw_parser_t;

/* Walks n octets of a frame stream, counting whole frames. */
static void raw_parse(raw_parser_t *p, const uint8_t *in, size_t n)
{
    while (n) {
        if (p->body_left) {
            size_t k = n < p->body_left ? n : (size_t)p->body_left;
            in += k;
            n -= k;
            p->body_left -= k;
            if (!p->body_left)
                p->frames++;
            continue;
        }
        p->head[p->head_have++] = *in++;
        n--;
        if (p->head_have == 1) {
            p->head_need = (p->head[0] & 2) ? 9 : 2;
            continue;
        }
        if (p->head_have < p->head_need)
            continue;
        uint64_t size = 0;
        if (p->head_need == 2)
            size = p->head[1];
        else
            for (int i = 1; i < 9; i++)
                size = size << 8 | p->head[i];
        p->head_have = 0;
        p->body_left = size;
        if (!size)
            p->frames++;
    }
}

/* ---- the three modes ----------------------------------------------------- */

static int raw_stream_server(int fd, const bench_args_t *a)
{
    size_t cap = 256 * 1024;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return raw_fail("malloc");
    raw_parser_t parser = {0};
    bool frames = strcmp(a->mode, "frames") == 0;
    uint64_t total = 0;
    double t0 = 0;
    for (;;) {
        ssize_t k = read(fd, buf, frames ? 65536 : cap);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            free(buf);
            return raw_fail("read");
        }
        if (k == 0)
            break;
        if (!total)
            t0 = bench_now();
        total += (uint64_t)k;
        if (frames)
            raw_parse(&parser, buf, (size_t)k);
    }
    double secs = bench_now() - t0;
    free(buf);
    if (frames)
        printf("RESULT prog=raw mode=frames transport=tcp size=%zu batch=%zu pin=%s secs=%.6f "
               "msgs_per_s=%.1f mb_per_s=%.2f\n",
               a->size, a->batch, bench_pin_name(a->pin), secs, (double)parser.frames / secs,
               (double)total / secs / 1e6);
    else
        printf("RESULT prog=raw mode=stream transport=tcp size=%zu pin=%s secs=%.6f "
               "mb_per_s=%.2f\n",
               a->batch, bench_pin_name(a->pin), secs, (double)total / secs / 1e6);
    return 0;
}

static int raw_stream_client(int fd, const bench_args_t *a)
{
    size_t n = a->batch;
    uint8_t *buf = calloc(1, n);
    if (!buf)
        return raw_fail("calloc");
    if (strcmp(a->mode, "frames") == 0) {
        /* Whole frames only: each write ends on a frame boundary. */
        uint8_t h[9];
        size_t hl = raw_frame_header(h, a->size);
        size_t per = n / (hl + a->size);
        if (!per)
            per = 1;
        n = per * (hl + a->size);
        free(buf);
        buf = calloc(1, n);
        if (!buf)
            return raw_fail("calloc");
        for (size_t i = 0; i < per; i++)
            memcpy(buf + i * (hl + a->size), h, hl);
    }
    double deadline = bench_now() + a->max_secs;
    int rc = 0;
    for (long i = 0;; i++) {
        if (raw_write_full(fd, buf, n) != 0) {
            rc = raw_fail("write");
            break;
        }
        if ((i & 15) == 0 && bench_now() > deadline)
            break;
    }
    free(buf);
    return rc;
}

static int raw_pingpong_server(int fd, const bench_args_t *a)
{
    uint8_t *buf = malloc(a->size);
    if (!buf)
        return raw_fail("malloc");
    int rc = 0;
    for (;;) {
        if (raw_read_full(fd, buf, a->size) != 0) {
            if (errno != EPIPE)
                rc = raw_fail("read");
            break;
        }
        if (raw_write_full(fd, buf, a->size) != 0) {
            rc = raw_fail("write");
            break;
        }
    }
    free(buf);
    return rc;
}

static int raw_pingpong_client(int fd, const bench_args_t *a)
{
    uint8_t *buf = calloc(1, a->size);
    if (!buf)
        return raw_fail("calloc");
    long total = a->warmup + a->count, done = 0;
    double t0 = 0, deadline = 0;
    bool early = false;
    for (long i = 0; i < total; i++) {
        if (i == a->warmup) {
            t0 = bench_now();
            deadline = t0 + a->max_secs;
        }
        if (raw_write_full(fd, buf, a->size) != 0 || raw_read_full(fd, buf, a->size) != 0) {
            free(buf);
            return raw_fail("round trip");
        }
        if (i >= a->warmup) {
            done++;
            if ((done & 63) == 0 && bench_now() > deadline) {
                early = true;
                break;
            }
        }
    }
    double secs = bench_now() - t0;
    free(buf);
    printf("RESULT prog=raw mode=pingpong transport=tcp size=%zu pin=%s n=%ld secs=%.6f "
           "usec=%.3f early=%d\n",
           a->size, bench_pin_name(a->pin), done, secs, secs / (2.0 * (double)done) * 1e6, early);
    return 0;
}

int main(int argc, char **argv)
{
    bench_args_t a;
    bench_parse_args(argc, argv, &a, argv[0]);
    bool pingpong = strcmp(a.mode, "pingpong") == 0;
    if (!pingpong && strcmp(a.mode, "stream") != 0 && strcmp(a.mode, "frames") != 0)
        return bench_fail("--mode", "expected stream, frames or pingpong");
    if (pingpong && a.size == 0)
        return bench_fail("--size", "ping-pong needs at least 1 octet");
    signal(SIGPIPE, SIG_IGN);

    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 1) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &len) != 0)
        return raw_fail("listen");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return raw_fail("fork");
    if (pid == 0) {
        close(lfd);
        bench_pin_self(bench_cpu_for(a.pin, 1));
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
            _exit(raw_fail("connect"));
        raw_nodelay(fd);
        raw_timeouts(fd, a.timeout_ms);
        int rc = pingpong ? raw_pingpong_client(fd, &a) : raw_stream_client(fd, &a);
        close(fd);
        fflush(stdout);
        _exit(rc);
    }
    bench_pin_self(bench_cpu_for(a.pin, 0));
    struct pollfd pfd = {.fd = lfd, .events = POLLIN};
    int rc = 1;
    if (poll(&pfd, 1, a.timeout_ms) == 1) {
        int fd = accept(lfd, NULL, NULL);
        if (fd >= 0) {
            raw_nodelay(fd);
            raw_timeouts(fd, a.timeout_ms);
            rc = pingpong ? raw_pingpong_server(fd, &a) : raw_stream_server(fd, &a);
            close(fd);
        } else {
            rc = raw_fail("accept");
        }
    } else {
        fprintf(stderr, "error: the client did not connect\n");
    }
    close(lfd);
    fflush(stdout);
    int status = 0;
    if (rc != 0)
        kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return rc != 0 || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
}
