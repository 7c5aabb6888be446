/* zinc demo, second part: zinc and a stock libzmq peer (pyzmq in the system
 * /usr/bin/python3) exchanging the standard messages in both directions.
 *
 * The peer is tools/demo_peer.py (installed as share/zinc/demo_peer.py),
 * started once and given one job per line; see that file for the jobs. The
 * zinc side of each exchange runs here while the peer runs its job; the
 * peer's "ok" line is read before the zinc sockets close, so nothing sent is
 * cut off. Every wait is bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zinc_tool.h"

#define PEER_PYTHON "/usr/bin/python3"
#define PEER_START_MS 15000
#define PEER_JOB_MS 10000

extern char **environ;

typedef struct {
    pid_t pid;
    int to;   /* its stdin */
    int from; /* its stdout */
    char buf[1024];
    size_t len;
    bool broken; /* out of step: no more jobs */
} peer_t;

/* The script: $ZINC_DEMO_PEER, else the installed copy when this program is
 * the installed one, else the source tree's. */
static const char *peer_script(void)
{
    const char *env = getenv("ZINC_DEMO_PEER");
    if (env && *env)
        return env;
    const char *first = ZT_DEMO_PEER_SRC, *second = ZT_DEMO_PEER_INSTALLED;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        size_t bl = strlen(ZT_BINDIR);
        if (strncmp(self, ZT_BINDIR, bl) == 0 && self[bl] == '/') {
            first = ZT_DEMO_PEER_INSTALLED;
            second = ZT_DEMO_PEER_SRC;
        }
    }
    return access(first, R_OK) == 0 ? first : access(second, R_OK) == 0 ? second : NULL;
}

static bool peer_start(peer_t *p, const char *script)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0)
        return false;
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        return false;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    char *argv[] = {(char *)PEER_PYTHON, (char *)script, (char *)"--timeout", (char *)"60", NULL};
    int rc = posix_spawn(&p->pid, PEER_PYTHON, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    if (rc != 0) {
        close(in[1]);
        close(out[0]);
        errno = rc;
        return false;
    }
    p->to = in[1];
    p->from = out[0];
    return true;
}

/* The next line from the peer, without its newline. false on timeout or
 * end of output (the peer is then out of step). */
static bool peer_line(peer_t *p, char *line, size_t cap, int timeout_ms)
{
    int64_t until = zt_now_ms() + timeout_ms;
    for (;;) {
        char *nl = memchr(p->buf, '\n', p->len);
        if (nl) {
            size_t n = (size_t)(nl - p->buf);
            snprintf(line, cap, "%.*s", (int)n, p->buf);
            p->len -= n + 1;
            memmove(p->buf, nl + 1, p->len);
            return true;
        }
        int64_t left = until - zt_now_ms();
        struct pollfd pf = {.fd = p->from, .events = POLLIN};
        if (left <= 0 || p->len == sizeof p->buf || poll(&pf, 1, (int)left) != 1)
            break;
        ssize_t r = read(p->from, p->buf + p->len, sizeof p->buf - p->len);
        if (r <= 0)
            break;
        p->len += (size_t)r;
    }
    p->broken = true;
    return false;
}

static bool peer_send(peer_t *p, const char *job)
{
    size_t n = strlen(job);
    if (write(p->to, job, n) != (ssize_t)n || write(p->to, "\n", 1) != 1) {
        p->broken = true;
        return false;
    }
    return true;
}

static void peer_stop(peer_t *p)
{
    if (!p->broken)
        peer_send(p, "quit");
    close(p->to);
    close(p->from);
    int status;
    for (int i = 0; i < 300; i++) { /* up to 3 s, then it is killed */
        if (waitpid(p->pid, &status, WNOHANG) == p->pid)
            return;
        zt_sleep_ms(10);
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
}

/* ---- exchanges ------------------------------------------------------------ */

typedef struct {
    zinc_ctx_t *ctx;
    peer_t *peer;
    zinc_socket_t *s[2];
    char *why;
    size_t cap;
} ex_t;

static bool ex_fail(ex_t *x, const char *what)
{
    snprintf(x->why, x->cap, "%s: %s", what, zinc_strerror(errno));
    return false;
}

/* A zinc socket, bound to an ephemeral tcp port when ep is not NULL (ep
 * gets it). */
static zinc_socket_t *ex_socket(ex_t *x, int i, int type, char *ep, size_t cap)
{
    zinc_socket_t *s = x->s[i] = zt_demo_socket(x->ctx, type);
    if (!s) {
        ex_fail(x, zinc_socket_type_name(type));
        return NULL;
    }
    if (ep &&
        (zinc_bind(s, "tcp://127.0.0.1:*") != 0 || zinc_get(s, "last_endpoint", ep, &cap) != 0)) {
        ex_fail(x, "bind");
        return NULL;
    }
    return s;
}

/* Gives the peer a job that binds; ep gets the endpoint it bound. */
static bool ex_job_bind(ex_t *x, const char *job, char *ep, size_t cap)
{
    char line[512];
    if (!peer_send(x->peer, job) || !peer_line(x->peer, line, sizeof line, PEER_JOB_MS)) {
        snprintf(x->why, x->cap, "the libzmq peer did not answer");
        return false;
    }
    if (strncmp(line, "ep ", 3) != 0) {
        snprintf(x->why, x->cap, "libzmq peer: %s", line);
        return false;
    }
    if (strlen(line + 3) >= cap) {
        snprintf(x->why, x->cap, "libzmq peer: endpoint too long");
        return false;
    }
    memcpy(ep, line + 3, strlen(line + 3) + 1);
    return true;
}

/* Reads the job's outcome. ok_so_far: the zinc side succeeded (otherwise
 * x->why already says why and the outcome line is only consumed). */
static bool ex_outcome(ex_t *x, bool ok_so_far)
{
    char line[512];
    if (x->peer->broken)
        return false;
    if (!peer_line(x->peer, line, sizeof line, PEER_JOB_MS)) {
        if (ok_so_far)
            snprintf(x->why, x->cap, "the libzmq peer did not finish its job");
        return false;
    }
    if (!ok_so_far)
        return false;
    if (strncmp(line, "ok", 2) != 0) {
        snprintf(x->why, x->cap, "libzmq peer: %s", line);
        return false;
    }
    return true;
}

static bool ex_send_all(ex_t *x, zinc_socket_t *s)
{
    for (int m = 0; m < ZT_DEMO_MESSAGES; m++)
        if (zt_demo_send(s, m, NULL) != 0)
            return ex_fail(x, "send");
    return true;
}

static bool ex_expect_all(ex_t *x, zinc_socket_t *s)
{
    for (int m = 0; m < ZT_DEMO_MESSAGES; m++)
        if (!zt_demo_expect(s, m, NULL, x->why, x->cap))
            return false;
    return true;
}

/* zinc sends the set, the peer echoes it (peer binds when zinc_binds is
 * false), zinc checks each message as it comes back. */
static bool ex_echo(ex_t *x, int ztype, const char *ptype, bool zinc_binds, bool ask)
{
    char ep[256], job[512];
    zinc_socket_t *s = ex_socket(x, 0, ztype, zinc_binds ? ep : NULL, sizeof ep);
    if (!s)
        return false;
    if (zinc_binds) {
        snprintf(job, sizeof job, "echo %s connect %s %d", ptype, ep, ZT_DEMO_MESSAGES);
        if (!peer_send(x->peer, job))
            return ex_fail(x, "the libzmq peer is gone");
    } else {
        snprintf(job, sizeof job, "echo %s bind tcp://127.0.0.1:* %d", ptype, ZT_DEMO_MESSAGES);
        if (!ex_job_bind(x, job, ep, sizeof ep))
            return false;
        if (zinc_connect(s, ep) != 0)
            return ex_outcome(x, ex_fail(x, "connect"));
    }
    bool ok = true;
    if (ask) { /* one round trip at a time (REQ) */
        for (int m = 0; ok && m < ZT_DEMO_MESSAGES; m++)
            ok = (zt_demo_send(s, m, NULL) == 0 || ex_fail(x, "send")) &&
                 zt_demo_expect(s, m, NULL, x->why, x->cap);
    } else {
        ok = ex_send_all(x, s) && ex_expect_all(x, s);
    }
    return ex_outcome(x, ok);
}

/* The peer asks (REQ, DEALER), zinc answers each message with itself
 * (REP; ROUTER keeps the envelope); the peer checks the answers. */
static bool ex_answer(ex_t *x, int ztype, const char *ptype)
{
    char ep[256], job[512];
    zinc_socket_t *s = ex_socket(x, 0, ztype, ep, sizeof ep);
    if (!s)
        return false;
    snprintf(job, sizeof job, "ask %s connect %s %d", ptype, ep, ZT_DEMO_MESSAGES);
    if (!peer_send(x->peer, job))
        return ex_fail(x, "the libzmq peer is gone");
    bool ok = true;
    size_t from = ztype == ZINC_ROUTER ? 1 : 0;
    for (int m = 0; ok && m < ZT_DEMO_MESSAGES; m++) {
        zt_msg_t msg;
        if (zt_msg_recv(s, &msg) != 0) {
            ok = ex_fail(x, "receive");
            break;
        }
        ok = zt_demo_is(&msg, from, m, x->why, x->cap);
        if (!ok)
            zt_msg_clear(&msg);
        else if (zt_msg_send(s, &msg, 0) != 0)
            ok = ex_fail(x, "reply");
    }
    return ex_outcome(x, ok);
}

/* zinc PUSH -> libzmq PULL, libzmq PUSH -> zinc PULL. */
static bool ex_relay(ex_t *x)
{
    char back[256], there[256], job[600];
    zinc_socket_t *pull = ex_socket(x, 1, ZINC_PULL, back, sizeof back);
    zinc_socket_t *push = pull ? ex_socket(x, 0, ZINC_PUSH, NULL, 0) : NULL;
    if (!push)
        return false;
    snprintf(job, sizeof job, "relay tcp://127.0.0.1:* %s %d", back, ZT_DEMO_MESSAGES);
    if (!ex_job_bind(x, job, there, sizeof there))
        return false;
    if (zinc_connect(push, there) != 0)
        return ex_outcome(x, ex_fail(x, "connect"));
    return ex_outcome(x, ex_send_all(x, push) && ex_expect_all(x, pull));
}

/* libzmq XPUB -> zinc SUB: the subscription goes up, the messages down. */
static bool ex_sub(ex_t *x)
{
    char ep[256], job[512];
    zinc_socket_t *s = ex_socket(x, 0, ZINC_SUB, NULL, 0);
    if (!s)
        return false;
    if (zinc_set(s, "subscribe", "") != 0)
        return ex_fail(x, "subscribe");
    snprintf(job, sizeof job, "xpub tcp://127.0.0.1:* %d", ZT_DEMO_MESSAGES);
    if (!ex_job_bind(x, job, ep, sizeof ep))
        return false;
    if (zinc_connect(s, ep) != 0)
        return ex_outcome(x, ex_fail(x, "connect"));
    return ex_outcome(x, ex_expect_all(x, s));
}

/* zinc XPUB -> libzmq SUB: zinc waits for the subscription, then
 * publishes; the peer checks what arrives. */
static bool ex_xpub(ex_t *x)
{
    char ep[256], job[512], sub[64];
    zinc_socket_t *s = ex_socket(x, 0, ZINC_XPUB, ep, sizeof ep);
    if (!s)
        return false;
    snprintf(job, sizeof job, "sub %s %d", ep, ZT_DEMO_MESSAGES);
    if (!peer_send(x->peer, job))
        return ex_fail(x, "the libzmq peer is gone");
    int n = zinc_recv(s, sub, sizeof sub, 0);
    if (n < 0)
        return ex_outcome(x, ex_fail(x, "receiving the subscription"));
    if (n < 1 || sub[0] != 1) {
        snprintf(x->why, x->cap, "the XPUB got %d octets, not a subscription", n);
        return ex_outcome(x, false);
    }
    return ex_outcome(x, ex_send_all(x, s));
}

static bool ex_pair(ex_t *x)
{
    return ex_echo(x, ZINC_PAIR, "PAIR", true, false);
}
static bool ex_dealer(ex_t *x)
{
    return ex_echo(x, ZINC_DEALER, "ROUTER", false, false);
}
static bool ex_req(ex_t *x)
{
    return ex_echo(x, ZINC_REQ, "REP", false, true);
}
static bool ex_rep(ex_t *x)
{
    return ex_answer(x, ZINC_REP, "REQ");
}
static bool ex_router(ex_t *x)
{
    return ex_answer(x, ZINC_ROUTER, "DEALER");
}

typedef struct {
    const char *label;
    int types[2]; /* the zinc socket types it needs */
    bool (*fn)(ex_t *x);
} exchange_t;

static const exchange_t exchanges[] = {
    {"zinc PAIR     <-> libzmq PAIR    (libzmq echoes)", {ZINC_PAIR, ZINC_PAIR}, ex_pair},
    {"zinc DEALER   <-> libzmq ROUTER  (libzmq echoes)", {ZINC_DEALER, ZINC_DEALER}, ex_dealer},
    {"zinc PUSH --> libzmq PULL/PUSH --> zinc PULL", {ZINC_PUSH, ZINC_PULL}, ex_relay},
    {"zinc REQ      <-> libzmq REP     (libzmq echoes)", {ZINC_REQ, ZINC_REQ}, ex_req},
    {"libzmq REQ    <-> zinc REP       (zinc echoes)", {ZINC_REP, ZINC_REP}, ex_rep},
    {"libzmq DEALER <-> zinc ROUTER    (zinc echoes)", {ZINC_ROUTER, ZINC_ROUTER}, ex_router},
    {"libzmq XPUB    -> zinc SUB", {ZINC_SUB, ZINC_SUB}, ex_sub},
    {"zinc XPUB      -> libzmq SUB", {ZINC_XPUB, ZINC_XPUB}, ex_xpub},
};

int zt_demo_libzmq(zinc_ctx_t *ctx)
{
    const char *script = peer_script();
    if (access(PEER_PYTHON, X_OK) != 0 || !script) {
        printf("zinc and libzmq: skipped (%s not found)\n",
               script ? PEER_PYTHON : "tools/demo_peer.py");
        return 0;
    }
    peer_t peer = {.pid = -1};
    char hello[256];
    if (!peer_start(&peer, script)) {
        printf("zinc and libzmq: skipped (cannot run %s: %s)\n", PEER_PYTHON, strerror(errno));
        return 0;
    }
    bool answered = peer_line(&peer, hello, sizeof hello, PEER_START_MS);
    if (answered && strcmp(hello, "nozmq") == 0) {
        printf("zinc and libzmq: skipped (%s has no zmq module: apt install python3-zmq)\n",
               PEER_PYTHON);
        peer_stop(&peer);
        return 0;
    }
    if (!answered || strncmp(hello, "hello ", 6) != 0) {
        printf("zinc and libzmq: FAIL (%s %s did not start: %s)\n", PEER_PYTHON, script,
               answered ? hello : "no answer");
        peer_stop(&peer);
        return 1;
    }
    char pyzmq[64] = "?", libzmq[64] = "?";
    sscanf(hello + 6, "%63s %63s", pyzmq, libzmq);
    printf("zinc and a stock libzmq %s peer (pyzmq %s), over tcp, both directions\n"
           "(each line: 7 messages each way, 0 B to 1 MiB, multipart):\n",
           libzmq, pyzmq);
    int failures = 0;
    for (size_t i = 0; i < sizeof exchanges / sizeof exchanges[0]; i++) {
        const exchange_t *e = &exchanges[i];
        printf("  %-48s ", e->label);
        fflush(stdout);
        const char *missing = NULL;
        for (int k = 0; k < 2 && !missing; k++)
            if (!zt_type_built(ctx, e->types[k]))
                missing = zinc_socket_type_name(e->types[k]);
        if (missing) {
            printf("not built yet (%s): skipped\n", missing);
            continue;
        }
        if (peer.broken) {
            printf("FAIL (the libzmq peer stopped answering)\n");
            failures++;
            continue;
        }
        char why[256] = "";
        ex_t x = {.ctx = ctx, .peer = &peer, .why = why, .cap = sizeof why};
        int64_t t0 = zt_now_ms();
        bool ok = e->fn(&x);
        int64_t ms = zt_now_ms() - t0;
        for (int k = 0; k < 2; k++)
            if (x.s[k])
                zinc_socket_close(x.s[k]);
        if (ok)
            printf("ok  %3lld ms\n", (long long)ms);
        else
            printf("FAIL (%s)\n", why);
        failures += !ok;
        fflush(stdout);
    }
    peer_stop(&peer);
    return failures;
}
