/* bench_common.c: arguments, clock, pinning, endpoints and the two-role
 * driver shared by the benchmark programs (see bench_common.h). */
#include "bench_common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void bench_usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [--transport tcp|ipc|inproc] [--size N[K|M]] [--count N]\n"
            "          [--warmup N] [--max-secs S] [--timeout-ms MS] [--pin split|shared|none]\n"
            "          [--mode M] [--batch N[K|M]] [--peers N] [--topics N]\n",
            prog);
    exit(2);
}

static bool bench_parse_size(const char *text, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text)
        return false;
    if (*end == 'K' || *end == 'k') {
        v *= 1024;
        end++;
    } else if (*end == 'M' || *end == 'm') {
        v *= 1024 * 1024;
        end++;
    }
    if (*end)
        return false;
    *out = (size_t)v;
    return true;
}

static bool bench_parse_long(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 0)
        return false;
    *out = v;
    return true;
}

void bench_parse_args(int argc, char **argv, bench_args_t *a, const char *prog)
{
    *a = (bench_args_t){.transport = "tcp",
                        .size = 64,
                        .count = 100000,
                        .warmup = 1000,
                        .max_secs = 5.0,
                        .timeout_ms = 5000,
                        .pin = BENCH_PIN_SPLIT,
                        .mode = "",
                        .batch = 8192,
                        .peers = 0,
                        .topics = 0};
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (i + 1 >= argc)
            bench_usage(prog);
        const char *v = argv[++i];
        long l = 0;
        bool ok = true;
        if (strcmp(k, "--transport") == 0) {
            a->transport = v;
            ok = !strcmp(v, "tcp") || !strcmp(v, "ipc") || !strcmp(v, "inproc");
        } else if (strcmp(k, "--size") == 0) {
            ok = bench_parse_size(v, &a->size);
        } else if (strcmp(k, "--batch") == 0) {
            ok = bench_parse_size(v, &a->batch) && a->batch > 0;
        } else if (strcmp(k, "--count") == 0) {
            ok = bench_parse_long(v, &a->count) && a->count > 0;
        } else if (strcmp(k, "--peers") == 0) {
            ok = bench_parse_long(v, &a->peers) && a->peers > 0 && a->peers <= 1000000;
        } else if (strcmp(k, "--topics") == 0) {
            ok = bench_parse_long(v, &a->topics) && a->topics > 0 && a->topics <= 100000000;
        } else if (strcmp(k, "--warmup") == 0) {
            ok = bench_parse_long(v, &a->warmup);
        } else if (strcmp(k, "--timeout-ms") == 0) {
            ok = bench_parse_long(v, &l) && l > 0 && l < 3600000;
            a->timeout_ms = (int)l;
        } else if (strcmp(k, "--max-secs") == 0) {
            char *end;
            a->max_secs = strtod(v, &end);
            ok = end != v && !*end && a->max_secs > 0;
        } else if (strcmp(k, "--pin") == 0) {
            if (strcmp(v, "split") == 0)
                a->pin = BENCH_PIN_SPLIT;
            else if (strcmp(v, "shared") == 0)
                a->pin = BENCH_PIN_SHARED;
            else if (strcmp(v, "none") == 0)
                a->pin = BENCH_PIN_NONE;
            else
                ok = false;
        } else if (strcmp(k, "--mode") == 0) {
            a->mode = v;
        } else {
            ok = false;
        }
        if (!ok) {
            fprintf(stderr, "%s: bad argument %s %s\n", prog, k, v);
            bench_usage(prog);
        }
    }
}

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int bench_cpu_for(bench_pin_t pin, int role)
{
    switch (pin) {
    case BENCH_PIN_SPLIT:
        return role ? 1 : 0;
    case BENCH_PIN_SHARED:
        return 0;
    default:
        return -1;
    }
}

int bench_pin_self(int cpu)
{
    if (cpu < 0)
        return 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    int rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    if (rc != 0) {
        fprintf(stderr, "warning: cannot pin to CPU %d: %s\n", cpu, strerror(rc));
        return -1;
    }
    return 0;
}

const char *bench_pin_name(bench_pin_t pin)
{
    switch (pin) {
    case BENCH_PIN_SPLIT:
        return "split";
    case BENCH_PIN_SHARED:
        return "shared";
    default:
        return "none";
    }
}

static int bench_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

int bench_endpoint(const char *transport, char *ep, size_t cap)
{
    if (strcmp(transport, "tcp") == 0) {
        int port = bench_free_port();
        if (port < 0)
            return -1;
        snprintf(ep, cap, "tcp://127.0.0.1:%d", port);
    } else if (strcmp(transport, "ipc") == 0) {
        snprintf(ep, cap, "ipc:///tmp/zinc-bench-%ld.ipc", (long)getpid());
    } else {
        snprintf(ep, cap, "inproc://zinc-bench");
    }
    return 0;
}

void bench_endpoint_cleanup(const char *ep)
{
    if (strncmp(ep, "ipc://", 6) == 0)
        unlink(ep + 6);
}

int bench_fail(const char *what, const char *text)
{
    fprintf(stderr, "error: %s: %s\n", what, text);
    return 1;
}

void bench_ready(bench_run_t *r)
{
    char c = 1;
    if (write(r->ready_fd[1], &c, 1) != 1)
        perror("bench_ready");
}

void bench_done(bench_run_t *r)
{
    char c = 1;
    /* EPIPE when a failed client is gone already: nothing to tell. */
    ssize_t rc = write(r->done_fd[1], &c, 1);
    (void)rc;
}

bool bench_wait_done(bench_run_t *r)
{
    return bench_wait_done_for(r, r->args->timeout_ms);
}

bool bench_wait_done_for(bench_run_t *r, int timeout_ms)
{
    struct pollfd pfd = {.fd = r->done_fd[0], .events = POLLIN};
    return poll(&pfd, 1, timeout_ms) == 1;
}

int bench_done_fd(const bench_run_t *r)
{
    return r->done_fd[0];
}

bool bench_tell_server(bench_run_t *r, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(r->back_fd[1], p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

bool bench_hear_client(bench_run_t *r, void *buf, size_t cap, int timeout_ms)
{
    char *p = buf;
    double deadline = bench_now() + timeout_ms / 1000.0;
    while (cap > 0) {
        int left = (int)((deadline - bench_now()) * 1000.0);
        if (left < 0)
            return false;
        struct pollfd pfd = {.fd = r->back_fd[0], .events = POLLIN};
        int rc = poll(&pfd, 1, left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc != 1)
            return false;
        ssize_t n = read(r->back_fd[0], p, cap);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false; /* the client is gone */
        p += n;
        cap -= (size_t)n;
    }
    return true;
}

long bench_rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return -1;
    long size, resident;
    int got = fscanf(f, "%ld %ld", &size, &resident);
    fclose(f);
    if (got != 2)
        return -1;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

long bench_raise_nofile(long need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        perror("error: getrlimit(RLIMIT_NOFILE)");
        return -1;
    }
    if (rl.rlim_cur == RLIM_INFINITY || (long)rl.rlim_cur >= need)
        return rl.rlim_cur == RLIM_INFINITY ? need : (long)rl.rlim_cur;
    struct rlimit want = rl;
    want.rlim_cur = (rlim_t)need;
    if (rl.rlim_max != RLIM_INFINITY && (long)rl.rlim_max < need)
        want.rlim_max = (rlim_t)need;
    if (setrlimit(RLIMIT_NOFILE, &want) == 0)
        return need;
    int err = errno;
    want = rl;
    want.rlim_cur = rl.rlim_max;
    long got = setrlimit(RLIMIT_NOFILE, &want) == 0 ? (long)rl.rlim_max : (long)rl.rlim_cur;
    fprintf(stderr,
            "note: RLIMIT_NOFILE cannot be raised to %ld (%s: the hard limit needs root with "
            "CAP_SYS_RESOURCE, or ulimit -Hn / fs.nr_open); it is %ld\n",
            need, strerror(err), got);
    return got;
}

/* Waits for the server's ready byte; false on timeout or when the server
 * ended without being ready. */
static bool bench_wait_ready(bench_run_t *r)
{
    struct pollfd pfd = {.fd = r->ready_fd[0], .events = POLLIN};
    int rc = poll(&pfd, 1, r->args->timeout_ms);
    char c;
    if (rc != 1 || read(r->ready_fd[0], &c, 1) != 1) {
        fprintf(stderr, "error: the server did not become ready\n");
        return false;
    }
    return true;
}

/* Seconds after which a run is surely hung: the default SIGALRM action ends
 * the process (a message on stderr would need a handler; the runner reports
 * the missing result). */
static unsigned bench_watchdog_secs(const bench_args_t *a)
{
    return (unsigned)(3.0 * a->max_secs + 6.0 * a->timeout_ms / 1000.0 + 10.0);
}

/* ---- thread mode (inproc) ------------------------------------------------ */

typedef struct {
    bench_run_t *run;
    bench_role_fn *fn;
    int role;
    int rc;
} bench_thread_t;

static void *bench_thread_main(void *arg)
{
    bench_thread_t *t = arg;
    bench_run_t *r = t->run;
    bench_pin_self(bench_cpu_for(r->args->pin, t->role));
    if (t->role == 0) {
        t->rc = t->fn(r);
        int fd = r->ready_fd[1]; /* an unready server wakes the client */
        r->ready_fd[1] = -1;
        close(fd);
    } else {
        t->rc = bench_wait_ready(r) ? t->fn(r) : 1;
        if (t->rc == 0)
            return NULL; /* the server still has messages to take */
    }
    atomic_store(&r->stop, true);
    return NULL;
}

static int bench_run_threads(bench_run_t *r, bench_role_fn *server, bench_role_fn *client,
                             void *(*ctx_new)(void), int (*ctx_term)(void *))
{
    r->ctx = ctx_new();
    if (!r->ctx)
        return bench_fail("context", strerror(errno));
    bench_thread_t t[2] = {{r, server, 0, 1}, {r, client, 1, 1}};
    pthread_t th[2];
    int started = 0;
    for (; started < 2; started++)
        if (pthread_create(&th[started], NULL, bench_thread_main, &t[started]) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    ctx_term(r->ctx);
    close(r->ready_fd[0]);
    close(r->done_fd[0]);
    close(r->done_fd[1]);
    close(r->back_fd[0]);
    close(r->back_fd[1]);
    return started == 2 && t[0].rc == 0 && t[1].rc == 0 ? 0 : 1;
}

/* ---- process mode (tcp, ipc) --------------------------------------------- */

static int bench_run_processes(bench_run_t *r, bench_role_fn *server, bench_role_fn *client,
                               void *(*ctx_new)(void), int (*ctx_term)(void *))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return bench_fail("fork", strerror(errno));
    if (pid == 0) {
        /* A client never outlives its server (killed by the runner, say). */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
            _exit(1);
        alarm(bench_watchdog_secs(r->args));
        close(r->ready_fd[1]);
        close(r->done_fd[1]);
        close(r->back_fd[0]);
        bench_pin_self(bench_cpu_for(r->args->pin, 1));
        int rc = 1;
        if (bench_wait_ready(r)) {
            r->ctx = ctx_new();
            if (r->ctx) {
                rc = client(r);
                ctx_term(r->ctx);
            }
        }
        fflush(stdout);
        fflush(stderr);
        _exit(rc);
    }
    close(r->ready_fd[0]);
    close(r->done_fd[0]);
    close(r->back_fd[1]);
    bench_pin_self(bench_cpu_for(r->args->pin, 0));
    int rc = 1;
    r->ctx = ctx_new();
    if (r->ctx) {
        rc = server(r);
        ctx_term(r->ctx);
    }
    close(r->ready_fd[1]);
    close(r->done_fd[1]);
    /* The client normally ends on its own right after the server; a client
     * stuck behind a server that gave up early is killed. */
    double limit = bench_now() + (atomic_load(&r->stop) ? 0.2 : r->args->timeout_ms / 1000.0);
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 || bench_now() > limit) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            status = atomic_load(&r->stop) ? 0 : 1;
            break;
        }
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    close(r->back_fd[0]);
    /* A client cut short by a server that stopped early may fail its send:
     * that is expected, not an error. */
    if (rc == 0 && status != 0 && !atomic_load(&r->stop)) {
        fprintf(stderr, "error: the client process failed (status %d)\n", status);
        rc = 1;
    }
    return rc;
}

int bench_run(const bench_args_t *a, bench_role_fn *server, bench_role_fn *client,
              void *(*ctx_new)(void), int (*ctx_term)(void *))
{
    char ep[128];
    if (bench_endpoint(a->transport, ep, sizeof ep) != 0)
        return bench_fail("endpoint", strerror(errno));
    bench_run_t r = {.args = a, .endpoint = ep};
    atomic_init(&r.stop, false);
    if (pipe(r.ready_fd) != 0)
        return bench_fail("pipe", strerror(errno));
    if (pipe(r.done_fd) != 0) {
        close(r.ready_fd[0]);
        close(r.ready_fd[1]);
        return bench_fail("pipe", strerror(errno));
    }
    if (pipe(r.back_fd) != 0) {
        close(r.ready_fd[0]);
        close(r.ready_fd[1]);
        close(r.done_fd[0]);
        close(r.done_fd[1]);
        return bench_fail("pipe", strerror(errno));
    }
    signal(SIGPIPE, SIG_IGN);
    alarm(bench_watchdog_secs(a));
    int rc = strcmp(a->transport, "inproc") == 0
                 ? bench_run_threads(&r, server, client, ctx_new, ctx_term)
                 : bench_run_processes(&r, server, client, ctx_new, ctx_term);
    bench_endpoint_cleanup(ep);
    return rc;
}
