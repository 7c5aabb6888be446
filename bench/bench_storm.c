/* bench_storm: a connect storm. The server binds one ROUTER socket; the
 * client makes --peers DEALER sockets (1,000 by default) as fast as it can,
 * each connecting to the ROUTER over tcp (or ipc) and sending one 1-octet
 * message. The storm is over when the ROUTER has received all of them: every
 * connection then is accepted, handshaken (greeting, NULL READY both ways)
 * and attached. Then both processes read their resident memory and the
 * client keeps every socket open until the server has its report.
 *
 * Figures:
 *   conns_per_s      connections per second: --peers divided by the time from
 *                    the client's first socket to the ROUTER's last message
 *                    (one CLOCK_MONOTONIC for both processes);
 *   server_kb_per_conn, client_kb_per_conn
 *                    growth of each process's resident memory (/proc/self/
 *                    statm) from before the first connection to after the
 *                    last, divided by --peers: the ROUTER side is the cost of
 *                    one idle accepted connection, the DEALER side that of a
 *                    socket with one connection. Run at two sizes (1,000 and
 *                    10,000) to read how memory grows.
 * Both libraries get max_sockets = peers + 64 and a listen backlog of 4096.
 * The program raises RLIMIT_NOFILE itself. When the hard limit cannot be
 * raised (no CAP_SYS_RESOURCE) and one process cannot hold every DEALER (a
 * DEALER may take a connection and a wake-up fd), the DEALERs are spread
 * over several client processes (client_procs, said on stderr too), each
 * with its own context: their memory is then summed.
 *
 * Output, one line on stdout (from the server):
 *   RESULT prog=storm lib=zinc transport=tcp pin=split peers=... connected=... secs=...
 *          conns_per_s=... create_secs=... server_rss_kb_before=... server_rss_kb_after=...
 *          server_kb_per_conn=... client_rss_kb_before=... client_rss_kb_after=...
 *          client_kb_per_conn=... stalled=0
 * create_secs: the client's time to make and connect the sockets (inside
 * secs). stalled=1: the ROUTER got nothing new for --timeout-ms (or
 * --max-secs passed) before every DEALER was heard; the figures are then
 * for the connections made by that moment.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_api.h"
#include "bench_common.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define STORM_DEFAULT_PEERS 1000
#define STORM_BACKLOG 4096
#define STORM_FDS_PER_DEALER 3 /* a conservative bound, for both libraries */
#define STORM_FDS_SPARE 512
#define STORM_MAX_PROCS 16

static long storm_peers; /* set in main, read by storm_ctx_new */
static long storm_procs; /* client processes, set in main */

/* What a client process tells the server, twice: its figures (closed 0),
 * then, once its sockets are closed, that it is done (closed 1). The server
 * closes the ROUTER only then: closed first, it would send every DEALER into
 * reconnection while the client tears down, in both libraries. */
typedef struct {
    double t0, t_created; /* bench_now() at the first socket, after the last connect */
    long rss_before, rss_after, created;
    int closed;
} storm_report_t;

static int storm_fail(void *s, const char *what)
{
    int err = errno;
    if (s)
        b_close(s);
    return bench_fail(what, b_strerror(err));
}

/* A context allowed to hold every DEALER. */
static void *storm_ctx_new(void)
{
    void *ctx = b_ctx_new();
    if (ctx && B_CTX_SETI(ctx, MAX_SOCKETS, (int)storm_peers + 64) != 0) {
        int err = errno;
        fprintf(stderr, "error: max_sockets %ld: %s\n", storm_peers + 64, b_strerror(err));
        b_ctx_term(ctx);
        errno = err;
        return NULL;
    }
    return ctx;
}

/* true when the client wrote to the back pipe or ended. */
static bool storm_client_spoke(bench_run_t *r)
{
    struct pollfd pfd = {.fd = r->back_fd[0], .events = POLLIN};
    return poll(&pfd, 1, 0) == 1;
}

static int storm_server(bench_run_t *r)
{
    const bench_args_t *a = r->args;
    void *s = b_socket(r->ctx, B_ROUTER);
    if (!s)
        return storm_fail(NULL, "socket ROUTER");
    if (B_SETI(s, LINGER, 0) != 0 || B_SETI(s, RCVTIMEO, 50) != 0 ||
        B_SETI(s, BACKLOG, STORM_BACKLOG) != 0)
        return storm_fail(s, "setsockopt");
    if (b_bind(s, r->endpoint) != 0)
        return storm_fail(s, "bind");
    long rss_before = bench_rss_kb();
    bench_ready(r);

    long got = 0;
    bool stalled = false;
    double start = bench_now(), last = start, deadline = start + a->max_secs;
    while (got < a->peers) {
        int more;
        long n = b_recv_drop(s, &more); /* the identity */
        if (n >= 0 && more)
            n = b_recv_drop(s, &more); /* the message */
        if (n >= 0) {
            got++;
            last = bench_now();
            continue;
        }
        if (errno != EAGAIN)
            return storm_fail(s, "recv");
        double now = bench_now();
        if ((now - last) * 1000.0 > a->timeout_ms || now > deadline) {
            stalled = true;
            break;
        }
        if (storm_client_spoke(r) && got == 0 && now - start > 1.0) {
            b_close(s);
            return bench_fail("server", "the client ended before any connection");
        }
    }
    long rss_after = bench_rss_kb();
    bench_done(r);

    /* One report per client process: start at the earliest, memory summed.
     * A quick process's "closed" may come before a slower one's report. */
    storm_report_t rep = {0};
    long closed = 0;
    for (long i = 0; i < storm_procs;) {
        storm_report_t one;
        if (!bench_hear_client(r, &one, sizeof one, 2 * a->timeout_ms + 5000)) {
            b_close(s);
            return bench_fail("server", "no report from a client process");
        }
        if (one.closed) {
            closed++;
            continue;
        }
        if (i++ == 0 || one.t0 < rep.t0)
            rep.t0 = one.t0;
        if (one.t_created > rep.t_created)
            rep.t_created = one.t_created;
        rep.rss_before += one.rss_before;
        rep.rss_after += one.rss_after;
        rep.created += one.created;
    }
    double secs = last - rep.t0;
    double np = (double)a->peers;
    printf("RESULT prog=storm lib=%s transport=%s pin=%s peers=%ld connected=%ld secs=%.6f "
           "conns_per_s=%.1f create_secs=%.6f server_rss_kb_before=%ld server_rss_kb_after=%ld "
           "server_kb_per_conn=%.2f client_rss_kb_before=%ld client_rss_kb_after=%ld "
           "client_kb_per_conn=%.2f client_procs=%ld stalled=%d\n",
           B_LIB, a->transport, bench_pin_name(a->pin), a->peers, got, secs,
           secs > 0 ? (double)got / secs : 0, rep.t_created - rep.t0, rss_before, rss_after,
           (double)(rss_after - rss_before) / np, rep.rss_before, rep.rss_after,
           (double)(rep.rss_after - rep.rss_before) / np, storm_procs, stalled);
    fflush(stdout);
    for (storm_report_t one; closed < storm_procs; closed++)
        if (!bench_hear_client(r, &one, sizeof one, 2 * a->timeout_ms + 5000))
            break; /* a client that cannot close is its own failure */
    b_close(s);
    return 0;
}

/* Makes DEALERs first .. first + count - 1 in ctx, waits until the server
 * has heard them all, and reports this process's share. */
static int storm_share(bench_run_t *r, void *ctx, long first, long count)
{
    const bench_args_t *a = r->args;
    void **socks = calloc((size_t)count, sizeof *socks);
    if (!socks)
        return bench_fail("client", "out of memory");
    storm_report_t rep = {.rss_before = bench_rss_kb()};
    int rc = 1;
    rep.t0 = bench_now();
    for (long i = 0; i < count; i++) {
        void *s = b_socket(ctx, B_DEALER);
        if (!s) {
            fprintf(stderr, "error: DEALER %ld of %ld: %s\n", first + i + 1, a->peers,
                    b_strerror(errno));
            goto out;
        }
        socks[i] = s;
        if (B_SETI(s, LINGER, 0) != 0 || B_SETI(s, SNDTIMEO, a->timeout_ms) != 0) {
            storm_fail(NULL, "setsockopt");
            goto out;
        }
        if (b_connect(s, r->endpoint) != 0 || b_send_new(s, 1, 0) != 0) {
            fprintf(stderr, "error: DEALER %ld of %ld: connect/send: %s\n", first + i + 1, a->peers,
                    b_strerror(errno));
            goto out;
        }
        rep.created = i + 1;
    }
    rep.t_created = bench_now();
    /* The server says when it has every message (or gave up waiting). */
    bench_wait_done_for(r, a->timeout_ms + (int)(a->max_secs * 1000.0) + 1000);
    rep.rss_after = bench_rss_kb();
    rc = 0;
out:
    if (rc != 0)
        rep.rss_after = bench_rss_kb(); /* a report all the same: the server waits */
    if (!bench_tell_server(r, &rep, sizeof rep))
        rc = 1;
    for (long i = 0; i < count; i++)
        if (socks[i])
            b_close(socks[i]);
    free(socks);
    rep.closed = 1;
    bench_tell_server(r, &rep, sizeof rep);
    return rc;
}

static int storm_client(bench_run_t *r)
{
    const bench_args_t *a = r->args;
    long per = (a->peers + storm_procs - 1) / storm_procs;
    pid_t kids[STORM_MAX_PROCS];
    int nk = 0, rc = 0;
    /* Extra processes first, before this one's context has any socket. */
    for (long p = 1; p < storm_procs; p++) {
        long first = p * per, count = a->peers - first < per ? a->peers - first : per;
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0) {
            bench_fail("fork", strerror(errno));
            rc = 1;
            break;
        }
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            alarm((unsigned)(3.0 * a->max_secs + 6.0 * a->timeout_ms / 1000.0 + 10.0));
            void *ctx = storm_ctx_new();
            int krc = ctx ? storm_share(r, ctx, first, count > 0 ? count : 0) : 1;
            if (ctx)
                b_ctx_term(ctx);
            fflush(stdout);
            fflush(stderr);
            _exit(krc);
        }
        kids[nk++] = pid;
    }
    if (rc == 0)
        rc = storm_share(r, r->ctx, 0, a->peers < per ? a->peers : per);
    for (int i = 0; i < nk; i++) {
        int status;
        if (waitpid(kids[i], &status, 0) != kids[i] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            rc = 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    bench_args_t a;
    bench_parse_args(argc, argv, &a, argv[0]);
    if (a.peers == 0)
        a.peers = STORM_DEFAULT_PEERS;
    if (strcmp(a.transport, "inproc") == 0)
        return bench_fail("--transport", "the storm needs tcp or ipc");
    storm_peers = a.peers;
    long need = STORM_FDS_PER_DEALER * a.peers + STORM_FDS_SPARE;
    long limit = bench_raise_nofile(need);
    if (limit < 0)
        return 1;
    if (limit < a.peers + STORM_FDS_SPARE) {
        fprintf(stderr, "error: RLIMIT_NOFILE %ld: the ROUTER cannot hold %ld connections\n", limit,
                a.peers);
        return 1;
    }
    long per = (limit - STORM_FDS_SPARE) / STORM_FDS_PER_DEALER;
    storm_procs = (a.peers + per - 1) / per;
    if (storm_procs > STORM_MAX_PROCS) {
        fprintf(stderr, "error: RLIMIT_NOFILE %ld: %ld DEALERs would need %ld processes\n", limit,
                a.peers, storm_procs);
        return 1;
    }
    if (storm_procs > 1)
        fprintf(stderr,
                "note: RLIMIT_NOFILE %ld: the %ld DEALERs are spread over %ld client "
                "processes\n",
                limit, a.peers, storm_procs);
    return bench_run(&a, storm_server, storm_client, storm_ctx_new, b_ctx_term);
}
