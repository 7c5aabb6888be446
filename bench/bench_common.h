/* bench_common.h: what every benchmark program shares, independent of the
 * library under test: arguments, the clock, CPU pinning, endpoints, and the
 * driver that runs a server role and a client role either as two processes
 * (tcp, ipc) or as two threads of one process (inproc).
 *
 * Pinning (--pin): "split" puts the server on CPU 0 and the client on CPU 1,
 * "shared" puts both on CPU 0, "none" leaves the scheduler free. A role is
 * pinned before its context exists, so the library's I/O threads inherit the
 * same CPU (sched_setaffinity, as taskset does).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum { BENCH_PIN_NONE, BENCH_PIN_SPLIT, BENCH_PIN_SHARED } bench_pin_t;

typedef struct {
    const char *transport; /* "tcp", "ipc" or "inproc" */
    size_t size;           /* message size in octets */
    long count;            /* messages (throughput) or round trips (latency) */
    long warmup;           /* untimed round trips first (latency) */
    double max_secs;       /* a run stops early and reports what it did */
    int timeout_ms;        /* on every blocking call */
    bench_pin_t pin;
    const char *mode; /* program-specific (raw TCP: "stream", ...) */
    size_t batch;     /* program-specific (raw TCP frames: write size) */
    long peers;       /* program-specific (0: its default): subscribers, DEALERs, ... */
    long topics;      /* program-specific (0: its default): topics of a publisher */
} bench_args_t;

/* Parses --transport --size --count --warmup --max-secs --timeout-ms --pin
 * --mode --batch --peers --topics (each "--x value"). Sizes accept a K or M
 * suffix (1K = 1024). Exits with the usage text on a bad argument. */
void bench_parse_args(int argc, char **argv, bench_args_t *a, const char *prog);

/* Monotonic seconds. */
double bench_now(void);

/* CPU for a role (0 server, 1 client) under a pinning, or -1 for none. */
int bench_cpu_for(bench_pin_t pin, int role);
/* Pins the calling thread to cpu (nothing for -1). 0 or -1. */
int bench_pin_self(int cpu);
const char *bench_pin_name(bench_pin_t pin);

/* Fills ep with an endpoint for the transport: tcp on 127.0.0.1 with a port
 * the kernel just handed out, ipc in /tmp named after the pid, inproc a fixed
 * name. 0, or -1 when no port could be found. */
int bench_endpoint(const char *transport, char *ep, size_t cap);
/* Removes an ipc endpoint's file (nothing for other transports). */
void bench_endpoint_cleanup(const char *ep);

/* Shared state of one run. The server calls bench_ready() once it is bound;
 * the driver starts the client only after that. stop is raised when the
 * server is done or the client failed (threads poll it; a client process is
 * killed instead). */
typedef struct {
    const bench_args_t *args;
    const char *endpoint;
    void *ctx; /* the role's library context */
    int ready_fd[2];
    int done_fd[2];
    int back_fd[2]; /* client to server: bench_tell_server / bench_hear_client */
    atomic_bool stop;
} bench_run_t;

void bench_ready(bench_run_t *r);
/* The server has everything it wanted: bench_wait_done() returns. */
void bench_done(bench_run_t *r);
/* Waits (up to the timeout) until the server called bench_done(), so that a
 * sender closes its socket only after the stream was received: a throughput
 * run then measures the stream, not what the library does with messages
 * still queued when a socket closes. false on timeout. */
bool bench_wait_done(bench_run_t *r);
/* As bench_wait_done, with its own timeout in ms. */
bool bench_wait_done_for(bench_run_t *r, int timeout_ms);
/* The read end of the done pipe, for a client that polls it beside its
 * sockets (it becomes readable at bench_done and stays so). */
int bench_done_fd(const bench_run_t *r);

/* The client sends len octets to the server (a sync byte, a report); the
 * server reads exactly cap octets, waiting up to timeout_ms in all. false
 * on failure, timeout, or when the client ended first (its end of the pipe
 * closed), so a dead client never hangs the server. */
bool bench_tell_server(bench_run_t *r, const void *data, size_t len);
bool bench_hear_client(bench_run_t *r, void *buf, size_t cap, int timeout_ms);

/* Resident memory of this process in KiB (/proc/self/statm), or -1. */
long bench_rss_kb(void);

/* Raises RLIMIT_NOFILE to at least need (soft and hard: the hard limit needs
 * CAP_SYS_RESOURCE). When that is refused, raises the soft limit to the hard
 * one and prints on stderr what the limits are and why. Returns the soft
 * limit now in force (which may be below need), or -1. */
long bench_raise_nofile(long need);

/* A role: 0 on success, else non-zero (after printing why to stderr). */
typedef int bench_role_fn(bench_run_t *r);

/* Runs server and client, each pinned, as processes for tcp/ipc and as
 * threads sharing one context for inproc. ctx_new/ctx_term make and end a
 * library context. Returns the process exit status (0 when both roles
 * succeeded). A watchdog (alarm) ends both processes when a run lasts
 * far longer than --max-secs and --timeout-ms allow (a library that hangs),
 * and a client process dies with its server. */
int bench_run(const bench_args_t *a, bench_role_fn *server, bench_role_fn *client,
              void *(*ctx_new)(void), int (*ctx_term)(void *));

/* Prints "error: <what>: <text>" to stderr and returns 1. */
int bench_fail(const char *what, const char *text);

#endif
