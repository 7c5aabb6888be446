/* zinc: the command-line tool.
 *
 *   zinc cat [OPTIONS] TYPE ENDPOINT...   a ZeroMQ socket on stdin/stdout
 *   zinc demo                             zinc at work on this machine
 *   zinc keygen [OPTIONS] [BASENAME]      a CURVE key pair, or a certificate pair
 *   zinc version                          version and the socket types built
 *   zinc --help                           this list
 *
 * Exit statuses: 0 done, 1 timeout, 2 usage error, 3 runtime error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zinc_tool.h"

static const char zinc_usage[] =
    "usage: zinc COMMAND [ARGS]\n"
    "\n"
    "  cat [OPTIONS] TYPE ENDPOINT...  a ZeroMQ socket of TYPE on stdin/stdout: each line is\n"
    "                                  a message (zinc cat --help)\n"
    "  demo                            zinc at work on this machine: every socket pattern\n"
    "                                  over tcp, ipc and inproc, a stock libzmq peer when\n"
    "                                  /usr/bin/python3 has zmq, throughput and latency\n"
    "  keygen [OPTIONS] [BASENAME]     a CURVE key pair on stdout, or written as the certificate\n"
    "                                  files BASENAME.key and BASENAME.key_secret of CZMQ and\n"
    "                                  pyzmq (zinc keygen --help)\n"
    "  version                         version, and the socket types this build makes\n"
    "  help, --help, -h                this text\n"
    "\n"
    "Exit status: 0 done, 1 timeout, 2 usage error, 3 runtime error.\n";

bool zt_parse_int(const char *text, int64_t min, int64_t max, int64_t *out)
{
    if (!text || !*text)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

int64_t zt_now_ms(void)
{
    return zt_now_us() / 1000;
}

int64_t zt_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void zt_sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

bool zt_type_built(zinc_ctx_t *ctx, int type)
{
    zinc_socket_t *s = zinc_socket_new(ctx, type);
    if (!s)
        return false;
    zinc_socket_close(s);
    return true;
}

/* The socket types of the `zinc cat` contract, in its order. */
static const int zinc_cat_types[] = {ZINC_PAIR,   ZINC_PUB,  ZINC_SUB,  ZINC_XPUB,
                                     ZINC_XSUB,   ZINC_REQ,  ZINC_REP,  ZINC_DEALER,
                                     ZINC_ROUTER, ZINC_PUSH, ZINC_PULL, ZINC_STREAM};

static int zinc_version_main(void)
{
    int major, minor, patch;
    zinc_version(&major, &minor, &patch);
    printf("zinc %d.%d.%d (ZMTP 3.1, no libzmq)\n", major, minor, patch);
    zinc_ctx_t *ctx = zinc_ctx_new();
    if (!ctx) {
        fprintf(stderr, "zinc version: %s\n", zinc_strerror(zinc_errno()));
        return ZT_EXIT_RUNTIME;
    }
    char built[256] = "", missing[256] = "";
    size_t nb = 0, nm = 0;
    for (size_t i = 0; i < sizeof zinc_cat_types / sizeof zinc_cat_types[0]; i++) {
        int t = zinc_cat_types[i];
        const char *name = zinc_socket_type_name(t);
        if (zt_type_built(ctx, t))
            nb += (size_t)snprintf(built + nb, sizeof built - nb, " %s", name);
        else
            nm += (size_t)snprintf(missing + nm, sizeof missing - nm, " %s", name);
    }
    zinc_ctx_term(ctx);
    printf("socket types:%s\n", nb ? built : " none");
    printf("not built yet:%s\n", nm ? missing : " none");
    return ZT_EXIT_OK;
}

int main(int argc, char **argv)
{
    /* A write to a connection the peer closed must fail with EPIPE, not end
     * the program; so must a write to a closed stdout. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        fputs(zinc_usage, stderr);
        return ZT_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "cat") == 0)
        return zt_cat_main(argc - 1, argv + 1);
    if (strcmp(cmd, "demo") == 0)
        return zt_demo_main(argc - 1, argv + 1);
    if (strcmp(cmd, "keygen") == 0)
        return zt_keygen_main(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        if (argc > 2) {
            fprintf(stderr, "zinc version: unexpected argument '%s'\n", argv[2]);
            return ZT_EXIT_USAGE;
        }
        return zinc_version_main();
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(zinc_usage, stdout);
        return ZT_EXIT_OK;
    }
    fprintf(stderr, "zinc: unknown command '%s' (commands: cat, demo, keygen, version, help)\n",
            cmd);
    return ZT_EXIT_USAGE;
}
