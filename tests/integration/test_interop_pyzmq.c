/* Interop with stock libzmq: every pattern pair zinc builds, against pyzmq
 * (libzmq 4.3) in a separate process (tests/peers/pyzmq_peer.py), zinc
 * binding and zinc connecting, over tcp and ipc, with the peer's standard
 * message set: single frames of 0, 1, 255, 256 and 1 MiB octets, then the
 * same sizes as 3-frame messages, checked octet by octet on both sides.
 *
 * Exits 77 (skipped) when $ZINC_PYTHON (default /usr/bin/python3) cannot
 * import zmq. Pairs whose zinc type is not built yet are skipped.
 */
#include "itest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { PEER_TIMEOUT_S = 25, WAIT_MS = 20000, IO_MS = 10000 };

/* ---- the standard set (pyzmq_peer.py documents it) ----------------------------- */

static const size_t set_sizes[] = {0, 1, 255, 256, 1 << 20};
#define SET_SIZES 5
#define SET_COUNT (2 * SET_SIZES)

static size_t set_nframes(int m)
{
    return m < SET_SIZES ? 1 : 3;
}

static zinc_frame_t *set_frame(int m, int f)
{
    size_t n = set_sizes[m % SET_SIZES];
    zinc_frame_t *fr = zinc_frame_new_size(n);
    assert_non_null(fr);
    uint8_t *p = zinc_frame_data_mut(fr);
    unsigned k = (unsigned)(m * 7 + f * 3 + 1) % 251;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(((i % 251) * 131 + k) % 251);
    return fr;
}

static void set_message(int m, it_msg_t *msg)
{
    msg->n = set_nframes(m);
    for (size_t f = 0; f < msg->n; f++)
        msg->f[f] = set_frame(m, (int)f);
}

/* Checks frames [skip, n) of msg against message m. */
static void set_check(int m, const it_msg_t *msg, size_t skip)
{
    if (msg->n != skip + set_nframes(m))
        fail_msg("message %d: %zu frames, want %zu", m, msg->n - skip, set_nframes(m));
    for (size_t f = 0; f < set_nframes(m); f++) {
        zinc_frame_t *want = set_frame(m, (int)f);
        const zinc_frame_t *got = msg->f[skip + f];
        bool ok = zinc_frame_size(got) == zinc_frame_size(want) &&
                  memcmp(zinc_frame_data(got), zinc_frame_data(want), zinc_frame_size(want)) == 0;
        size_t size = zinc_frame_size(got);
        zinc_frame_unref(want);
        if (!ok)
            fail_msg("message %d frame %zu: %zu octets, not the expected ones", m, f, size);
    }
}

/* ---- the peer process ------------------------------------------------------------ */

static const char *python_path(void)
{
    const char *p = getenv("ZINC_PYTHON");
    return p && *p ? p : "/usr/bin/python3";
}

static const char *peer_script(void)
{
    const char *p = getenv("ZINC_INTEROP_PEER");
    return p && *p ? p : "tests/peers/pyzmq_peer.py";
}

typedef struct {
    pid_t pid;
    int in;  /* its stdin */
    int out; /* its stdout */
    char buf[512];
    size_t len;
} peer_t;

static void peer_spawn(peer_t *p, char *const argv[])
{
    int in[2], out[2];
    assert_int_equal(pipe2(in, O_CLOEXEC), 0);
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    assert_int_equal(posix_spawn(&p->pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    p->in = in[1];
    p->out = out[0];
    p->len = 0;
}

/* The next line the peer prints (without the newline), waiting up to ms;
 * NULL if none. */
static const char *peer_line(peer_t *p, int ms, char *line, size_t cap)
{
    int64_t deadline = it_now_ms() + ms;
    for (;;) {
        char *nl = memchr(p->buf, '\n', p->len);
        if (nl) {
            size_t n = (size_t)(nl - p->buf);
            snprintf(line, cap, "%.*s", (int)n, p->buf);
            memmove(p->buf, nl + 1, p->len - n - 1);
            p->len -= n + 1;
            return line;
        }
        int64_t left = deadline - it_now_ms();
        if (left <= 0 || p->len == sizeof p->buf)
            return NULL;
        struct pollfd pf = {p->out, POLLIN, 0};
        if (poll(&pf, 1, (int)left) <= 0)
            continue;
        ssize_t r = read(p->out, p->buf + p->len, sizeof p->buf - p->len);
        if (r <= 0)
            return NULL;
        p->len += (size_t)r;
    }
}

/* The peer's exit status (0: it checked everything), waiting up to ms;
 * -1 after killing it. */
static int peer_wait(peer_t *p, int ms)
{
    int64_t deadline = it_now_ms() + ms;
    int status = 0;
    for (;;) {
        pid_t r = waitpid(p->pid, &status, WNOHANG);
        if (r == p->pid)
            break;
        if (it_now_ms() > deadline) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &status, 0);
            status = -1;
            break;
        }
        it_sleep_ms(5);
    }
    close(p->in);
    close(p->out);
    p->pid = 0;
    if (status == -1)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static bool python_has_zmq(void)
{
    char *argv[] = {(char *)python_path(), "-c", "import zmq", NULL};
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return false;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* ---- scenarios ------------------------------------------------------------------- */

enum plan {
    ZINC_SENDS,     /* zinc sends the set; the peer checks it */
    ZINC_ECHOED,    /* zinc sends each message, the peer echoes it, zinc checks */
    PEER_SENDS,     /* the peer sends the set; zinc checks it */
    PEER_ECHOED,    /* the peer sends, zinc checks and echoes, the peer checks */
    ZINC_PUBLISHES, /* zinc PUB to a pyzmq SUB, after the probe handshake */
    PEER_PUBLISHES, /* pyzmq PUB to a zinc SUB, likewise */
};

typedef struct {
    int zinc_type, peer_type;
    enum plan plan;
    const char *zinc_rid; /* routing id of the zinc socket, or NULL */
    const char *peer_args[4];
} scenario_t;

static const scenario_t scenarios[] = {
    {ZINC_PAIR, ZINC_PAIR, ZINC_ECHOED, NULL, {NULL}},
    {ZINC_PUSH, ZINC_PULL, ZINC_SENDS, NULL, {NULL}},
    {ZINC_PULL, ZINC_PUSH, PEER_SENDS, NULL, {NULL}},
    {ZINC_DEALER, ZINC_DEALER, ZINC_ECHOED, NULL, {NULL}},
    {ZINC_REQ, ZINC_REP, ZINC_ECHOED, NULL, {NULL}},
    {ZINC_REP, ZINC_REQ, PEER_ECHOED, NULL, {NULL}},
    {ZINC_DEALER, ZINC_ROUTER, ZINC_ECHOED, "zinc-dealer", {"--expect-id", "zinc-dealer", NULL}},
    {ZINC_ROUTER, ZINC_DEALER, PEER_ECHOED, NULL, {"--routing-id", "py-dealer", NULL}},
    {ZINC_ROUTER, ZINC_ROUTER, PEER_ECHOED, "zinc", {"--routing-id", "py", "--to", "zinc"}},
    {ZINC_PUB, ZINC_SUB, ZINC_PUBLISHES, NULL, {NULL}},
    {ZINC_SUB, ZINC_PUB, PEER_PUBLISHES, NULL, {NULL}},
};
#define NSCEN (sizeof scenarios / sizeof scenarios[0])

typedef struct {
    const scenario_t *sc;
    bool zinc_binds;
} variant_t;

static const uint8_t probe[] = {0xff, 'P', 'R', 'O', 'B', 'E', 0xff};
static const uint8_t probe_end[] = {0xff, 'E', 'N', 'D', 0xff};

static bool is_frame(const zinc_frame_t *f, const uint8_t *what, size_t n)
{
    return zinc_frame_size(f) == n && memcmp(zinc_frame_data(f), what, n) == 0;
}

/* Whether the peer sends last: it must then wait for zinc to close before it
 * closes (a close with unread input resets the connection). */
static bool peer_sends_last(enum plan p)
{
    return p == ZINC_ECHOED || p == PEER_SENDS || p == PEER_PUBLISHES;
}

static void zinc_side(const scenario_t *sc, zinc_socket_t *s, peer_t *peer)
{
    bool router = sc->zinc_type == ZINC_ROUTER;
    it_msg_t msg;
    switch (sc->plan) {
    case ZINC_SENDS:
        for (int m = 0; m < SET_COUNT; m++) {
            set_message(m, &msg);
            assert_int_equal(it_send_msg(s, &msg, 0), 0);
        }
        break;
    case ZINC_ECHOED:
        for (int m = 0; m < SET_COUNT; m++) {
            set_message(m, &msg);
            assert_int_equal(it_send_msg(s, &msg, 0), 0);
            if (it_recv_msg(s, &msg, 0) != 0)
                fail_msg("no echo of message %d: %s", m, zinc_strerror(errno));
            set_check(m, &msg, 0);
            it_msg_clear(&msg);
        }
        break;
    case PEER_SENDS:
    case PEER_ECHOED:
        for (int m = 0; m < SET_COUNT; m++) {
            if (it_recv_msg(s, &msg, 0) != 0)
                fail_msg("message %d did not come: %s", m, zinc_strerror(errno));
            set_check(m, &msg, router ? 1 : 0);
            if (sc->plan == PEER_ECHOED)
                assert_int_equal(it_send_msg(s, &msg, 0), 0);
            else
                it_msg_clear(&msg);
        }
        break;
    case ZINC_PUBLISHES: {
        char line[128];
        int64_t deadline = it_now_ms() + IO_MS;
        for (;;) {
            assert_true(it_now_ms() < deadline);
            zinc_frame_t *f = zinc_frame_new(probe, sizeof probe);
            if (zinc_send_frame(s, f, ZINC_DONTWAIT) != 0)
                zinc_frame_unref(f);
            if (peer_line(peer, 10, line, sizeof line) && strcmp(line, "synced") == 0)
                break;
        }
        assert_int_equal(zinc_send(s, probe_end, sizeof probe_end, 0), (int)sizeof probe_end);
        for (int m = 0; m < SET_COUNT; m++) {
            set_message(m, &msg);
            assert_int_equal(it_send_msg(s, &msg, 0), 0);
        }
        break;
    }
    case PEER_PUBLISHES:
        do {
            assert_int_equal(it_recv_msg(s, &msg, 0), 0);
            bool p = msg.n == 1 && is_frame(msg.f[0], probe, sizeof probe);
            it_msg_clear(&msg);
            if (p)
                break;
        } while (1);
        assert_int_equal(write(peer->in, "go\n", 3), 3);
        for (;;) {
            assert_int_equal(it_recv_msg(s, &msg, 0), 0);
            bool end = msg.n == 1 && is_frame(msg.f[0], probe_end, sizeof probe_end);
            it_msg_clear(&msg);
            if (end)
                break;
        }
        for (int m = 0; m < SET_COUNT; m++) {
            if (it_recv_msg(s, &msg, 0) != 0)
                fail_msg("message %d did not come: %s", m, zinc_strerror(errno));
            set_check(m, &msg, 0);
            it_msg_clear(&msg);
        }
        break;
    }
}

static const char *peer_steps(const scenario_t *sc, char *buf, size_t cap)
{
    switch (sc->plan) {
    case ZINC_SENDS:
        return "recv";
    case ZINC_ECHOED:
        snprintf(buf, cap, "echo:%d", SET_COUNT);
        return buf;
    case PEER_SENDS:
        return "send";
    case PEER_ECHOED:
        return sc->peer_type == ZINC_REQ ? "send" : "send recv";
    case ZINC_PUBLISHES:
        return "sync recv";
    case PEER_PUBLISHES:
        return "probe send";
    }
    return "";
}

static void test_interop(void **state)
{
    it_fx_t *fx = it_fx(state);
    const variant_t *v = fx->param;
    const scenario_t *sc = v->sc;
    zinc_socket_t *s = it_socket(fx, sc->zinc_type);
    it_set_int(s, "rcvtimeo", IO_MS);
    it_set_int(s, "sndtimeo", IO_MS);
    it_set_int(s, "linger", 2000);
    if (sc->zinc_rid)
        assert_int_equal(zinc_set_bytes(s, "routing_id", sc->zinc_rid, strlen(sc->zinc_rid)), 0);
    if (sc->zinc_type == ZINC_SUB)
        assert_int_equal(zinc_set_bytes(s, "subscribe", "", 0), 0);

    char ep[256], wild[256];
    if (fx->tran->id == IT_TCP)
        snprintf(wild, sizeof wild, "tcp://127.0.0.1:%s", v->zinc_binds ? "0" : "*");
    else
        it_ep_wild(fx->tran, wild, sizeof wild);
    if (v->zinc_binds)
        it_bind(s, wild, ep, sizeof ep);

    char *argv[24];
    int argc = 0;
    char steps[64], timeout[16];
    snprintf(timeout, sizeof timeout, "%d", PEER_TIMEOUT_S);
    argv[argc++] = (char *)python_path();
    argv[argc++] = (char *)peer_script();
    argv[argc++] = (char *)zinc_socket_type_name(sc->peer_type);
    argv[argc++] = v->zinc_binds ? "--connect" : "--bind";
    argv[argc++] = v->zinc_binds ? ep : wild;
    argv[argc++] = "--expect-peer-type";
    argv[argc++] = (char *)zinc_socket_type_name(sc->zinc_type);
    argv[argc++] = "--timeout";
    argv[argc++] = timeout;
    if (peer_sends_last(sc->plan))
        argv[argc++] = "--wait-close";
    for (int i = 0; i < 4 && sc->peer_args[i]; i++)
        argv[argc++] = (char *)sc->peer_args[i];
    char *words = strdup(peer_steps(sc, steps, sizeof steps));
    for (char *w = strtok(words, " "); w; w = strtok(NULL, " "))
        argv[argc++] = w;
    argv[argc] = NULL;

    peer_t peer;
    peer_spawn(&peer, argv);
    free(words);
    if (!v->zinc_binds) {
        char line[256];
        if (!peer_line(&peer, WAIT_MS, line, sizeof line)) {
            int st = peer_wait(&peer, 1000);
            fail_msg("the peer printed no endpoint (exit %d)", st);
        }
        snprintf(ep, sizeof ep, "%s", line);
        it_connect(s, ep);
    }
    zinc_side(sc, s, &peer);
    /* Whoever sent last: the receiver closes first. */
    if (peer_sends_last(sc->plan))
        it_close(fx, s);
    int status = peer_wait(&peer, WAIT_MS);
    if (!v->zinc_binds && fx->tran->id == IT_IPC)
        unlink(wild + 6); /* libzmq may leave its socket file behind */
    if (status != 0)
        fail_msg("pyzmq %s exited with %d (see its message above)",
                 zinc_socket_type_name(sc->peer_type), status);
}

static const char *plan_text(enum plan p)
{
    switch (p) {
    case ZINC_SENDS:
    case ZINC_PUBLISHES:
        return "zinc's messages arrive intact";
    case ZINC_ECHOED:
        return "zinc's messages and their echoes arrive intact";
    case PEER_SENDS:
    case PEER_PUBLISHES:
        return "pyzmq's messages arrive intact";
    case PEER_ECHOED:
        return "pyzmq's messages and zinc's echoes arrive intact";
    }
    return "";
}

int main(void)
{
    if (!python_has_zmq()) {
        fprintf(stderr, "%s cannot import zmq: skipping the pyzmq interop tests\n", python_path());
        return 77;
    }
    signal(SIGPIPE, SIG_IGN);
    static variant_t variants[2 * NSCEN];
    static it_case_t cases[2 * NSCEN];
    static char names[2 * NSCEN][160];
    for (size_t i = 0; i < NSCEN; i++)
        for (int b = 0; b < 2; b++) {
            size_t k = 2 * i + (size_t)b;
            const scenario_t *sc = &scenarios[i];
            variants[k] = (variant_t){sc, b == 0};
            snprintf(names[k], sizeof names[k], "zinc %s %s, pyzmq %s %s: %s",
                     zinc_socket_type_name(sc->zinc_type), b == 0 ? "binds" : "connects",
                     zinc_socket_type_name(sc->peer_type), b == 0 ? "connects" : "binds",
                     plan_text(sc->plan));
            cases[k] = (it_case_t){names[k], test_interop, &variants[k], IT_STREAM_TRANS, 0};
        }
    return it_run("pyzmq interop", cases, 2 * NSCEN);
}
