/* End-to-end check of the sans-I/O engine against the real thing: a pyzmq
 * peer (libzmq 4.3) driven by tests/peers/pyzmq_peer.py, over TCP, before any
 * runtime exists.
 *
 * The glue here is test-only: one blocking TCP socket around one engine,
 * driven by poll(), writev() of zmtp_engine_output's iovecs, read() into a
 * buffer (or straight into the frame through zmtp_engine_recv_window) and
 * zmtp_engine_tick() with the monotonic clock. zinc connects to a peer that
 * binds, or listens for a peer that connects; each scenario exchanges the
 * standard message set (pyzmq_peer.py documents it) with heartbeats on and
 * an idle stretch longer than the heartbeat timeouts.
 *
 * With the argument --demo the program prints one line per exchange and
 * exits 0 only if all passed (the README's interim demo); otherwise it is a
 * cmocka test, skipped when $ZINC_PYTHON cannot import zmq.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/frame.h"
#include "zinc.h"
#include "zmtp/engine.h"
#include "zmtp/greeting.h"

#ifndef ZINC_PYZMQ_PEER_DEFAULT
#define ZINC_PYZMQ_PEER_DEFAULT "tests/peers/pyzmq_peer.py"
#endif

extern char **environ;

enum {
    IDLE_MS = 400,         /* longer than the heartbeat timeouts below */
    HB_IVL = 100,          /* heartbeats of both sides, ms */
    HB_TTL = 1000,         /* ms */
    HB_TIMEOUT = 300,      /* ms */
    SCENARIO_MS = 20000,   /* one scenario, start to finish */
    PEER_TIMEOUT_S = 25,   /* the peer's own watchdog */
    DIRECT_MIN = 16384,    /* read straight into a frame from this size up */
    WRITE_MAX = 256 << 10, /* bytes per writev, so the loop keeps ticking */
};

/* ---- the standard message set (the same octets as pyzmq_peer.py) ------ */

static const size_t set_sizes[] = {0, 1, 255, 256, 1 << 20};
#define SET_SIZES ((int)(sizeof set_sizes / sizeof set_sizes[0]))
#define SET_COUNT (2 * SET_SIZES)
#define SET_MULTI 3

static int set_frames(int m)
{
    return m < SET_SIZES ? 1 : SET_MULTI;
}

static uint8_t set_octet(int m, int f, size_t i)
{
    unsigned k = (unsigned)(m * 7 + f * 3 + 1) % 251;
    return (uint8_t)(((i % 251) * 131 + k) % 251);
}

static zinc_frame_t *set_frame(int m, int f)
{
    size_t n = set_sizes[m % SET_SIZES];
    zinc_frame_t *fr = zinc_frame_new_size(n);
    if (!fr)
        return NULL;
    uint8_t *p = zinc_frame_data_mut(fr);
    for (size_t i = 0; i < n; i++)
        p[i] = set_octet(m, f, i);
    return fr;
}

static bool set_frame_ok(int m, int f, const zinc_frame_t *fr)
{
    size_t n = set_sizes[m % SET_SIZES];
    if (zinc_frame_size(fr) != n)
        return false;
    const uint8_t *p = zinc_frame_data(fr);
    for (size_t i = 0; i < n; i++)
        if (p[i] != set_octet(m, f, i))
            return false;
    return true;
}

/* ---- scenarios ---------------------------------------------------------- */

enum plan {
    PLAN_ZINC_SENDS,  /* zinc sends the set; the peer verifies it */
    PLAN_ZINC_ECHOED, /* zinc sends the set; the peer echoes it; zinc verifies */
    PLAN_PEER_SENDS,  /* the peer sends the set; zinc verifies it */
    PLAN_PEER_ECHOED, /* the peer sends; zinc verifies and echoes; the peer verifies */
};

enum hb { HB_BOTH, HB_PEER_ONLY, HB_ZINC_ONLY };

typedef struct {
    const char *name; /* the cmocka case */
    int zinc_type;
    int peer_type;
    bool zinc_listens; /* else the peer binds and zinc connects */
    enum plan plan;
    const char *zinc_rid; /* routing ids sent as Identity, or NULL */
    const char *peer_rid;
    enum hb hb;
    int idle_ms;
} scenario_t;

static const scenario_t scenarios[] = {
    {"zinc_dealer_connects_to_pyzmq_router_and_gets_echoes", ZINC_DEALER, ZINC_ROUTER, false,
     PLAN_ZINC_ECHOED, "zinc-dealer", NULL, HB_BOTH, IDLE_MS},
    {"pyzmq_router_connects_to_zinc_dealer_and_echoes", ZINC_DEALER, ZINC_ROUTER, true,
     PLAN_ZINC_ECHOED, NULL, NULL, HB_BOTH, IDLE_MS},
    {"zinc_router_connects_to_pyzmq_dealer_and_echoes", ZINC_ROUTER, ZINC_DEALER, false,
     PLAN_PEER_ECHOED, "zinc-router", "py-dealer", HB_BOTH, IDLE_MS},
    {"pyzmq_dealer_connects_to_zinc_router_and_gets_echoes", ZINC_ROUTER, ZINC_DEALER, true,
     PLAN_PEER_ECHOED, NULL, NULL, HB_BOTH, IDLE_MS},
    {"zinc_pull_connects_to_pyzmq_push", ZINC_PULL, ZINC_PUSH, false, PLAN_PEER_SENDS, NULL, NULL,
     HB_BOTH, IDLE_MS},
    {"pyzmq_push_connects_to_zinc_pull", ZINC_PULL, ZINC_PUSH, true, PLAN_PEER_SENDS, NULL, NULL,
     HB_BOTH, IDLE_MS},
    {"zinc_push_connects_to_pyzmq_pull", ZINC_PUSH, ZINC_PULL, false, PLAN_ZINC_SENDS, NULL, NULL,
     HB_BOTH, IDLE_MS},
    {"pyzmq_pull_connects_to_zinc_push", ZINC_PUSH, ZINC_PULL, true, PLAN_ZINC_SENDS, NULL, NULL,
     HB_BOTH, IDLE_MS},
    {"zinc_req_connects_to_pyzmq_rep", ZINC_REQ, ZINC_REP, false, PLAN_ZINC_ECHOED, "zinc-req",
     NULL, HB_BOTH, IDLE_MS},
    {"pyzmq_req_connects_to_zinc_rep", ZINC_REP, ZINC_REQ, true, PLAN_PEER_ECHOED, NULL, "py-req",
     HB_BOTH, IDLE_MS},
    {"zinc_pair_connects_to_pyzmq_pair", ZINC_PAIR, ZINC_PAIR, false, PLAN_ZINC_ECHOED, NULL, NULL,
     HB_BOTH, IDLE_MS},
    /* Only the peer heartbeats: the connection outlives its timeout only if
     * zinc answers its PINGs. */
    {"zinc_answers_pyzmq_pings_on_an_idle_connection", ZINC_DEALER, ZINC_ROUTER, false,
     PLAN_ZINC_ECHOED, "zinc-dealer", NULL, HB_PEER_ONLY, 1000},
    /* Only zinc heartbeats: zinc's engine outlives its timeout only if the
     * peer's PONGs arrive (libzmq sends nothing else unprompted). */
    {"pyzmq_answers_zinc_pings_on_an_idle_connection", ZINC_DEALER, ZINC_ROUTER, true,
     PLAN_ZINC_ECHOED, NULL, NULL, HB_ZINC_ONLY, 1000},
};
#define SCENARIO_COUNT ((int)(sizeof scenarios / sizeof scenarios[0]))

/* One run's outcome: the first failure's text, plus what the demo prints. */
typedef struct {
    char err[512];
    size_t idle_bytes;   /* received while the connection was idle */
    size_t direct_bytes; /* received through zmtp_engine_recv_window */
} run_t;

static bool run_fail(run_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool run_fail(run_t *r, const char *fmt, ...)
{
    if (r->err[0] == '\0') {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err, sizeof r->err, fmt, ap);
        va_end(ap);
    }
    return false;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the peer process --------------------------------------------------- */

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

static const char *python_path(void)
{
    return env_or("ZINC_PYTHON", "/usr/bin/python3");
}

static const char *peer_script(void)
{
    return env_or("ZINC_PYZMQ_PEER", ZINC_PYZMQ_PEER_DEFAULT);
}

/* Spawns argv; stdout goes to a pipe (*out_fd) when out_fd is non-NULL, or
 * to /dev/null with stderr when quiet. */
static pid_t spawn(char *const argv[], int *out_fd, bool quiet)
{
    posix_spawn_file_actions_t fa;
    int pfd[2] = {-1, -1};
    pid_t pid = -1;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    if (out_fd) {
        if (pipe2(pfd, O_CLOEXEC) != 0)
            goto out;
        posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
    } else if (quiet) {
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    }
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        pid = -1;
out:
    posix_spawn_file_actions_destroy(&fa);
    if (pfd[1] >= 0)
        close(pfd[1]);
    if (out_fd && pid > 0)
        *out_fd = pfd[0];
    else if (pfd[0] >= 0)
        close(pfd[0]);
    return pid;
}

/* Waits until deadline for pid to end; kills it after that. Returns the
 * wait status, or -1 when it had to be killed. */
static int reap(pid_t pid, int64_t deadline)
{
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0 && errno != EINTR)
            return -1;
        if (now_ms() >= deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            return -1;
        }
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* 1: python can import zmq; 0: it cannot; computed once. */
static int python_has_zmq(void)
{
    static int cached = -1;
    if (cached < 0) {
        char *argv[] = {(char *)python_path(), "-c", "import zmq", NULL};
        pid_t pid = spawn(argv, NULL, true);
        int st = pid > 0 ? reap(pid, now_ms() + 15000) : -1;
        cached = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    return cached;
}

/* Reads the first line the peer prints (its endpoint) until deadline. */
static bool read_line(int fd, char *buf, size_t cap, int64_t deadline)
{
    size_t n = 0;
    while (n + 1 < cap) {
        int64_t left = deadline - now_ms();
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return false;
        ssize_t got = read(fd, buf + n, 1);
        if (got <= 0)
            return false;
        if (buf[n] == '\n')
            break;
        n++;
    }
    buf[n] = '\0';
    return n > 0;
}

/* ---- one connection: a TCP socket around an engine ---------------------- */

typedef struct {
    int fd;
    zmtp_engine_t *eng;
    zinc_frame_t **rx; /* received frames, in order, from rx_head */
    size_t rx_head, rx_len, rx_cap;
    bool rx_oom;
    bool eof;
    int eof_errno; /* 0: orderly close; else the read/write error */
    char why[256]; /* the engine's on_error reason */
    size_t bytes_in, bytes_direct;
    uint8_t buf[64 * 1024];
} conn_t;

static bool conn_on_frame(void *user, zinc_frame_t *f)
{
    conn_t *c = user;
    if (c->rx_len == c->rx_cap) {
        size_t cap = c->rx_cap ? c->rx_cap * 2 : 64;
        zinc_frame_t **rx = realloc(c->rx, cap * sizeof *rx);
        if (!rx) {
            c->rx_oom = true;
            zinc_frame_unref(f);
            return true;
        }
        c->rx = rx;
        c->rx_cap = cap;
    }
    c->rx[c->rx_len++] = f;
    return true;
}

static void conn_on_error(void *user, const zmtp_error_t *err)
{
    conn_t *c = user;
    snprintf(c->why, sizeof c->why, "%s (%s, protocol error 0x%08x%s)", err->reason,
             zi_err_str(err->err), (unsigned)err->protocol, err->handshake ? ", in handshake" : "");
}

/* Frames of the first complete message queued, or 0. */
static size_t conn_msg_frames(const conn_t *c)
{
    for (size_t i = c->rx_head; i < c->rx_len; i++)
        if (!zinc_frame_more(c->rx[i]))
            return i - c->rx_head + 1;
    return 0;
}

/* Moves the first complete message (n frames) out to the caller. */
static zinc_frame_t **conn_take(conn_t *c, size_t n)
{
    zinc_frame_t **msg = c->rx + c->rx_head;
    c->rx_head += n;
    return msg;
}

static void conn_compact(conn_t *c)
{
    memmove(c->rx, c->rx + c->rx_head, (c->rx_len - c->rx_head) * sizeof *c->rx);
    c->rx_len -= c->rx_head;
    c->rx_head = 0;
}

static void conn_read_end(conn_t *c, ssize_t n)
{
    if (n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
        c->eof = true; /* closed or reset */
        c->eof_errno = n == 0 ? 0 : errno;
    }
}

static void conn_read(conn_t *c)
{
    size_t wlen;
    uint8_t *w = zmtp_engine_recv_window(c->eng, &wlen);
    if (w && wlen >= DIRECT_MIN) {
        ssize_t n = read(c->fd, w, wlen);
        if (n <= 0) {
            conn_read_end(c, n);
            return;
        }
        c->bytes_in += (size_t)n;
        c->bytes_direct += (size_t)n;
        zmtp_engine_feed_direct(c->eng, (size_t)n);
        return;
    }
    ssize_t n = read(c->fd, c->buf, sizeof c->buf);
    if (n <= 0) {
        conn_read_end(c, n);
        return;
    }
    c->bytes_in += (size_t)n;
    size_t off = 0;
    while (off < (size_t)n && !zmtp_engine_failed(c->eng)) {
        size_t used = zmtp_engine_feed(c->eng, c->buf + off, (size_t)n - off);
        if (used == 0)
            break;
        off += used;
    }
    if (off < (size_t)n && !zmtp_engine_failed(c->eng))
        snprintf(c->why, sizeof c->why, "the engine stopped consuming input");
}

static void conn_write(conn_t *c)
{
    struct iovec iov[64];
    int n = zmtp_engine_output(c->eng, iov, 64);
    size_t total = 0;
    int k = 0;
    for (; k < n && total < WRITE_MAX; k++) {
        if (iov[k].iov_len > WRITE_MAX - total)
            iov[k].iov_len = WRITE_MAX - total;
        total += iov[k].iov_len;
    }
    ssize_t w = writev(c->fd, iov, k);
    if (w > 0)
        zmtp_engine_written(c->eng, (size_t)w);
    else if (w < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
        c->eof = true;
        c->eof_errno = errno;
    }
}

enum goal { GOAL_READY, GOAL_MESSAGE, GOAL_FLUSHED, GOAL_EOF, GOAL_IDLE };
static const char *const goal_names[] = {"the handshake", "a message", "the output to drain",
                                         "the peer to close", "the idle time to end"};

static bool conn_goal_met(const conn_t *c, enum goal g)
{
    switch (g) {
    case GOAL_READY:
        return zmtp_engine_is_ready(c->eng);
    case GOAL_MESSAGE:
        return conn_msg_frames(c) > 0;
    case GOAL_FLUSHED:
        return zmtp_engine_out_pending(c->eng) == 0;
    case GOAL_EOF:
        return c->eof;
    default:
        return false;
    }
}

/* Runs the connection until the goal is met (GOAL_IDLE: until the time), an
 * error, or until. */
static bool conn_pump(conn_t *c, enum goal g, int64_t until, run_t *r)
{
    for (;;) {
        if (conn_goal_met(c, g))
            return true;
        if (zmtp_engine_failed(c->eng) || c->why[0])
            return run_fail(r, "zinc's engine failed: %s", c->why);
        if (c->rx_oom)
            return run_fail(r, "out of memory queueing frames");
        if (c->eof)
            return run_fail(r, "the peer closed the connection (%s) while zinc waited for %s",
                            c->eof_errno ? strerror(c->eof_errno) : "orderly", goal_names[g]);
        int64_t now = now_ms();
        int64_t next = zmtp_engine_tick(c->eng, now);
        if (zmtp_engine_failed(c->eng))
            continue;
        if (now >= until)
            return g == GOAL_IDLE ? true : run_fail(r, "timed out waiting for %s", goal_names[g]);
        int64_t wake = next < until ? next : until;
        int timeout = wake - now > 1000 ? 1000 : (int)(wake - now);
        struct pollfd p = {c->fd, POLLIN, 0};
        if (zmtp_engine_out_pending(c->eng))
            p.events |= POLLOUT;
        int rc = poll(&p, 1, timeout);
        if (rc < 0 && errno != EINTR)
            return run_fail(r, "poll: %s", strerror(errno));
        if (rc <= 0)
            continue;
        if (p.revents & POLLOUT)
            conn_write(c);
        if (p.revents & (POLLIN | POLLHUP | POLLERR))
            conn_read(c);
    }
}

/* Queues message m of the set, after an empty delimiter for REQ. */
static bool conn_send_set(conn_t *c, int zinc_type, int m, run_t *r)
{
    if (zinc_type == ZINC_REQ && zmtp_engine_send(c->eng, zinc_frame_new(NULL, 0), true) != ZI_OK)
        return run_fail(r, "zmtp_engine_send failed (delimiter)");
    for (int f = 0; f < set_frames(m); f++) {
        zinc_frame_t *fr = set_frame(m, f);
        if (!fr || zmtp_engine_send(c->eng, fr, f + 1 < set_frames(m)) != ZI_OK)
            return run_fail(r, "zmtp_engine_send failed (message %d frame %d)", m, f);
    }
    return true;
}

/* Waits for message m of the set and checks it; echoes it back verbatim
 * when echo is set. REQ and REP see an empty delimiter first on the wire. */
static bool conn_recv_set(conn_t *c, int zinc_type, int m, bool echo, int64_t until, run_t *r)
{
    if (!conn_pump(c, GOAL_MESSAGE, until, r))
        return false;
    size_t n = conn_msg_frames(c);
    zinc_frame_t **msg = conn_take(c, n);
    size_t skip = zinc_type == ZINC_REQ || zinc_type == ZINC_REP ? 1 : 0;
    bool ok = n == skip + (size_t)set_frames(m);
    if (!ok)
        run_fail(r, "message %d: %zu frames, want %zu", m, n, skip + (size_t)set_frames(m));
    if (ok && skip && zinc_frame_size(msg[0]) != 0)
        ok = run_fail(r, "message %d: no empty delimiter", m);
    for (size_t i = skip; ok && i < n; i++)
        if (!set_frame_ok(m, (int)(i - skip), msg[i]))
            ok = run_fail(r, "message %d frame %zu: %zu octets differ from the expected", m,
                          i - skip, zinc_frame_size(msg[i]));
    for (size_t i = 0; i < n; i++) {
        if (ok && echo) {
            if (zmtp_engine_send(c->eng, msg[i], i + 1 < n) != ZI_OK)
                ok = run_fail(r, "zmtp_engine_send failed echoing message %d", m);
        } else {
            zinc_frame_unref(msg[i]);
        }
    }
    conn_compact(c);
    return ok;
}

/* The peer's READY: Socket-Type always; Identity from REQ, DEALER and
 * ROUTER only, holding the peer's routing id (may be empty). */
static bool check_peer_meta(conn_t *c, const scenario_t *s, run_t *r)
{
    zi_props_t *meta = zmtp_engine_peer_meta(c->eng);
    size_t len;
    const char *type = zi_props_get(meta, "Socket-Type", &len);
    const char *want = zinc_socket_type_name(s->peer_type);
    if (!type || strcmp(type, want) != 0)
        return run_fail(r, "peer Socket-Type %s, want %s", type ? type : "(none)", want);
    const char *id = zi_props_get(meta, "Identity", &len);
    bool sends_id =
        s->peer_type == ZINC_REQ || s->peer_type == ZINC_DEALER || s->peer_type == ZINC_ROUTER;
    const char *want_id = s->peer_rid ? s->peer_rid : "";
    if (sends_id && (!id || len != strlen(want_id) || memcmp(id, want_id, len) != 0))
        return run_fail(r, "peer Identity '%.*s', want '%s'", id ? (int)len : 6, id ? id : "(none)",
                        want_id);
    if (!sends_id && id)
        return run_fail(r, "a %s peer sent an Identity", want);
    if (zmtp_engine_peer_version(c->eng) != ZMTP_V31)
        return run_fail(r, "peer ZMTP version 0x%x, want 0x31", zmtp_engine_peer_version(c->eng));
    return true;
}

/* ---- one scenario ------------------------------------------------------- */

static int tcp_listen(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static int tcp_accept(int lfd, int64_t deadline)
{
    struct pollfd p = {lfd, POLLIN, 0};
    int64_t left = deadline - now_ms();
    if (left <= 0 || poll(&p, 1, (int)left) != 1)
        return -1;
    return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* endpoint: "tcp://127.0.0.1:PORT" as printed by the peer. */
static int tcp_connect(const char *endpoint)
{
    const char *colon = strrchr(endpoint, ':');
    char *end;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || *end != '\0' || port <= 0 || port > 65535 ||
        strncmp(endpoint, "tcp://127.0.0.1:", 16) != 0)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void tcp_tune(int fd)
{
    int one = 1;
    struct timeval tv = {2, 0}; /* a blocking writev gives up after this */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/* Whoever sends last waits for the other side to close: closing a socket
 * with unread input (heartbeats) resets the connection, and a reset
 * discards what the closing side had not sent yet. */
static bool peer_sends_last(const scenario_t *s)
{
    return s->plan == PLAN_ZINC_ECHOED || s->plan == PLAN_PEER_SENDS;
}

/* The peer's command line for a scenario. */
static void peer_argv(const scenario_t *s, uint16_t port, char *store, size_t cap, char **argv)
{
    int argc = 0;
    size_t used = 0;
#define ARG(...)                                                                                   \
    do {                                                                                           \
        argv[argc++] = store + used;                                                               \
        used += (size_t)snprintf(store + used, cap - used, __VA_ARGS__) + 1;                       \
    } while (0)
    ARG("%s", python_path());
    ARG("%s", peer_script());
    ARG("%s", zinc_socket_type_name(s->peer_type));
    if (s->zinc_listens) {
        ARG("--connect");
        ARG("tcp://127.0.0.1:%u", (unsigned)port);
    } else {
        ARG("--bind");
        ARG("tcp://127.0.0.1:*");
    }
    ARG("--expect-peer-type");
    ARG("%s", zinc_socket_type_name(s->zinc_type));
    if (s->peer_rid) {
        ARG("--routing-id");
        ARG("%s", s->peer_rid);
    }
    if (s->peer_type == ZINC_ROUTER && s->zinc_rid) {
        ARG("--expect-id");
        ARG("%s", s->zinc_rid);
    }
    if (s->hb != HB_ZINC_ONLY) {
        ARG("--hb-ivl");
        ARG("%d", HB_IVL);
        ARG("--hb-ttl");
        ARG("%d", HB_TTL);
        ARG("--hb-timeout");
        ARG("%d", HB_TIMEOUT);
    }
    if (peer_sends_last(s))
        ARG("--wait-close");
    ARG("--timeout");
    ARG("%d", PEER_TIMEOUT_S);
    switch (s->plan) {
    case PLAN_ZINC_SENDS:
        ARG("recv");
        break;
    case PLAN_ZINC_ECHOED:
        ARG("echo:%d", SET_COUNT);
        break;
    case PLAN_PEER_SENDS:
    case PLAN_PEER_ECHOED:
        ARG("sleep:%d", s->idle_ms);
        ARG("send"); /* REQ: each send waits for its reply */
        if (s->plan == PLAN_PEER_ECHOED && s->peer_type != ZINC_REQ)
            ARG("recv");
        break;
    }
#undef ARG
    argv[argc] = NULL;
}

/* Handshake, metadata, idle with heartbeats, the exchange, then the peer
 * closes; r gets the first failure. */
static bool scenario_exchange(conn_t *c, const scenario_t *s, int64_t until, run_t *r)
{
    if (!conn_pump(c, GOAL_READY, until, r) || !check_peer_meta(c, s, r))
        return false;
    bool zinc_first = s->plan == PLAN_ZINC_SENDS || s->plan == PLAN_ZINC_ECHOED;
    if (zinc_first) {
        /* Idle: only heartbeats cross the wire. */
        size_t before = c->bytes_in;
        if (!conn_pump(c, GOAL_IDLE, now_ms() + s->idle_ms, r))
            return false;
        r->idle_bytes = c->bytes_in - before;
        for (int m = 0; m < SET_COUNT; m++)
            if (!conn_send_set(c, s->zinc_type, m, r))
                return false;
    }
    if (s->plan != PLAN_ZINC_SENDS) {
        /* The peer sleeps idle_ms before sending: idle on our side too. */
        for (int m = 0; m < SET_COUNT; m++)
            if (!conn_recv_set(c, s->zinc_type, m, s->plan == PLAN_PEER_ECHOED, until, r))
                return false;
    }
    if (!conn_pump(c, GOAL_FLUSHED, until, r))
        return false;
    r->direct_bytes = c->bytes_direct;
    /* The peer sent last: it waits for us to close (scenario_run does).
     * Else it ends once it has verified everything. */
    return peer_sends_last(s) || conn_pump(c, GOAL_EOF, until, r);
}

static bool scenario_run(const scenario_t *s, run_t *r)
{
    memset(r, 0, sizeof *r);
    int64_t until = now_ms() + SCENARIO_MS;
    conn_t *c = calloc(1, sizeof *c);
    char store[1024], *argv[40], line[128];
    uint16_t port = 0;
    int lfd = -1, out_fd = -1, status;
    pid_t pid = -1;
    bool ok = false;
    if (!c)
        return run_fail(r, "out of memory");
    c->fd = -1;
    if (s->zinc_listens && (lfd = tcp_listen(&port)) < 0) {
        run_fail(r, "listen: %s", strerror(errno));
        goto out;
    }
    peer_argv(s, port, store, sizeof store, argv);
    pid = spawn(argv, s->zinc_listens ? NULL : &out_fd, false);
    if (pid <= 0) {
        run_fail(r, "cannot start %s %s", argv[0], argv[1]);
        goto out;
    }
    if (s->zinc_listens) {
        c->fd = tcp_accept(lfd, until);
        if (c->fd < 0) {
            run_fail(r, "the peer did not connect");
            goto out;
        }
    } else {
        if (!read_line(out_fd, line, sizeof line, until)) {
            run_fail(r, "the peer printed no endpoint");
            goto out;
        }
        c->fd = tcp_connect(line);
        if (c->fd < 0) {
            run_fail(r, "cannot connect to '%s'", line);
            goto out;
        }
    }
    tcp_tune(c->fd);

    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, s->zinc_type);
    if (s->zinc_rid) {
        cfg.routing_id = (const uint8_t *)s->zinc_rid;
        cfg.routing_id_len = strlen(s->zinc_rid);
    }
    if (s->hb != HB_PEER_ONLY) {
        cfg.heartbeat_ivl = HB_IVL;
        cfg.heartbeat_ttl = HB_TTL;
        cfg.heartbeat_timeout = HB_TIMEOUT;
    }
    zmtp_callbacks_t cb = {.on_frame = conn_on_frame, .on_error = conn_on_error};
    c->eng = zmtp_engine_new(&cfg, &cb, c, now_ms());
    if (!c->eng) {
        run_fail(r, "zmtp_engine_new failed");
        goto out;
    }
    ok = scenario_exchange(c, s, until, r);
out:
    if (c->fd >= 0)
        close(c->fd);
    if (lfd >= 0)
        close(lfd);
    if (out_fd >= 0)
        close(out_fd);
    if (pid > 0) {
        /* On failure the peer may still wait for us: give it no time. */
        status = reap(pid, ok ? until : now_ms());
        if (status == -1)
            ok = run_fail(r, "the peer did not finish in time");
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ok =
                run_fail(r, "the peer failed (status 0x%x; its stderr says why)", (unsigned)status);
    }
    if (c->eng)
        zmtp_engine_free(c->eng);
    for (size_t i = c->rx_head; i < c->rx_len; i++)
        zinc_frame_unref(c->rx[i]);
    free(c->rx);
    free(c);
    return ok;
}

/* One human-readable line per exchange (shared by the demo and the log). */
static void scenario_describe(const scenario_t *s, const run_t *r, bool ok, char *buf, size_t cap)
{
    static const char *const arrows[] = {"->", "<->", "<-", "<->"};
    static const char *const hbs[] = {"", ", only pyzmq heartbeating", ", only zinc heartbeating"};
    const char *zt = zinc_socket_type_name(s->zinc_type);
    const char *pt = zinc_socket_type_name(s->peer_type);
    bool echo = s->plan == PLAN_ZINC_ECHOED || s->plan == PLAN_PEER_ECHOED;
    int n = snprintf(buf, cap,
                     "zinc %s (%s) %s pyzmq %s (%s) over tcp: %d messages%s, %zu..%zu octets, "
                     "%d ms idle%s, ",
                     zt, s->zinc_listens ? "listens" : "connects", arrows[s->plan], pt,
                     s->zinc_listens ? "connects" : "binds", SET_COUNT, echo ? " each way" : "",
                     set_sizes[0], set_sizes[SET_SIZES - 1], s->idle_ms, hbs[s->hb]);
    if (n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, ok ? "ok" : "FAILED: %s", r->err);
}

/* ---- cmocka ------------------------------------------------------------- */

static void test_scenario(void **state)
{
    const scenario_t *s = *state;
    if (!python_has_zmq()) {
        print_message("skipped: %s cannot import zmq (install python3-zmq)\n", python_path());
        skip();
    }
    run_t r;
    bool ok = scenario_run(s, &r);
    char line[1024];
    scenario_describe(s, &r, ok, line, sizeof line);
    print_message("%s\n", line);
    if (!ok)
        fail_msg("%s", r.err);
    /* Heartbeat cases: something crossed the idle connection (the peer's
     * PINGs, or its PONGs to ours), and it survived the timeout. */
    if (s->hb != HB_BOTH)
        assert_true(r.idle_bytes > 0);
    /* 1 MiB bodies came straight into the frame. */
    if (s->plan != PLAN_ZINC_SENDS)
        assert_true(r.direct_bytes >= (size_t)1 << 20);
}

static int demo(void)
{
    if (!python_has_zmq()) {
        fprintf(stderr, "demo skipped: %s cannot import zmq (install python3-zmq)\n",
                python_path());
        return 77;
    }
    int failed = 0;
    for (int i = 0; i < SCENARIO_COUNT; i++) {
        run_t r;
        char line[1024];
        bool ok = scenario_run(&scenarios[i], &r);
        scenario_describe(&scenarios[i], &r, ok, line, sizeof line);
        printf("%s\n", line);
        fflush(stdout);
        failed += !ok;
    }
    return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && strcmp(argv[1], "--demo") == 0)
        return demo();
    struct CMUnitTest tests[SCENARIO_COUNT];
    for (int i = 0; i < SCENARIO_COUNT; i++)
        tests[i] = (struct CMUnitTest){scenarios[i].name, test_scenario, NULL, NULL,
                                       (void *)&scenarios[i]};
    int rc = _cmocka_run_group_tests("pyzmq_engine", tests, SCENARIO_COUNT, NULL, NULL);
    /* All skipped: tell meson (exit status 77) rather than pass. */
    return rc == 0 && !python_has_zmq() ? 77 : rc;
}
