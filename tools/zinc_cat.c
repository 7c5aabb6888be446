/* zinc cat: one ZeroMQ socket on stdin and stdout, in the tradition of zmqc
 * and netcat. The contract (issue 7) is the help text below; every socket
 * option comes from the option table through zinc_set, so `-o NAME=VALUE`
 * knows every option zinc knows, with the table's error messages.
 *
 * The flush at the end uses one tracker attached to every frame sent: when
 * it is done, every frame has been written to its connection (or dropped),
 * so waiting on it, bounded by linger, is "what was queued has been sent".
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zinc_tool.h"

static const char cat_usage[] =
    "usage: zinc cat [OPTIONS] TYPE ENDPOINT...\n"
    "  TYPE   pair, pub, sub, xpub, xsub, req, rep, dealer, router, push, pull, stream (any case)\n"
    "  -b, --bind             bind to every ENDPOINT (default: connect)\n"
    "  -c, --connect          connect to every ENDPOINT\n"
    "  -w, --write            send: each line of stdin is one message; at the end of input, wait\n"
    "                         until what was queued has been sent (bounded by linger), then exit "
    "0\n"
    "  -r, --read             receive: print each message on stdout, one per line\n"
    "                         (-w and -r together: after each message sent, receive one and print\n"
    "                         it, the way a REQ works; for req, -w alone implies it; a rep\n"
    "                         receives first, then answers with the next line)\n"
    "  --echo                 send every received message back unchanged, all frames; on stream,\n"
    "                         the empty connect/disconnect notices are neither echoed nor counted\n"
    "  -n, --count N          exit 0 after N messages received (-r, --echo) or sent (-w alone); "
    "as\n"
    "                         at the end of -w input, what was queued (the last echo too) is sent\n"
    "                         first, bounded by linger\n"
    "  -m, --multipart        a TAB separates frames, in input lines and when a message is "
    "printed\n"
    "                         (without -m, each frame of a message prints on its own line)\n"
    "  -0                     messages end with NUL instead of a newline, in and out\n"
    "  -o, --option NAME=VALUE  set any socket option by its table name, repeatable, applied in\n"
    "                         order before bind/connect: subscribe=weather, routing_id=w1,\n"
    "                         curve_serverkey=<Z85> (docs/options.md lists them all)\n"
    "  -t, --timeout MS       exit 1 if no message arrives within MS milliseconds (a send that\n"
    "                         cannot go for MS milliseconds also exits 1)\n"
    "  --delay MS             wait MS milliseconds after bind/connect before the first send\n"
    "  -A, --auth SPEC        run the built-in authenticator (repeatable): plain:USER:PASSWORD,\n"
    "                         curve:any, curve:<Z85 public key>, allow:<IP>, deny:<IP>\n"
    "                         (not built yet: arrives with the security issue)\n"
    "  -h, --help             this text\n"
    "  With no -w, -r or --echo: push and pub write, pull, sub and xsub read, req writes.\n"
    "  A sub or xsub given no subscribe option subscribes to everything.\n"
    "  A wildcard bind (tcp://*:*, ipc://*) prints the endpoint it got on stderr.\n"
    "  Exit status: 0 done, 1 timeout, 2 usage error (the message names the problem; an unknown\n"
    "  option name suggests the nearest names in the table), 3 runtime error (zinc_strerror's\n"
    "  text).\n";

enum { CAT_OPT_ECHO = 256, CAT_OPT_DELAY };

typedef struct {
    int type;
    int bind; /* -1: not said (connect), 0: -c, 1: -b */
    bool write, read, echo, multipart, nul, auth;
    int64_t count;      /* 0: no limit */
    int64_t timeout_ms; /* -1: none */
    int64_t delay_ms;
    char **opts; /* "NAME=VALUE", in order */
    size_t nopts;
    char **eps;
    size_t neps;
} cat_args_t;

typedef struct {
    const cat_args_t *a;
    zinc_ctx_t *ctx;
    zinc_socket_t *s;
    zinc_tracker_t *tracker; /* attached to every frame sent */
    char term;               /* '\n', or '\0' with -0 */
    char *line;              /* stdin record */
    size_t line_cap;
    zinc_frame_t **msg; /* the message received last */
    size_t nmsg, cap_msg;
    char **subs; /* xsub: subscription messages to send, malloc'd */
    size_t *sub_lens;
    size_t nsubs;
} cat_t;

static int cat_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr, exit status 2. */
static int cat_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("zinc cat: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return ZT_EXIT_USAGE;
}

/* ---- arguments ------------------------------------------------------------ */

static bool cat_parse_ms(const char *flag, const char *text, int64_t min, int64_t *out, int *rc)
{
    if (zt_parse_int(text, min, INT_MAX, out))
        return true;
    *rc = cat_usage_error("%s expects %s, not '%s'", flag,
                          min > 0 ? "a whole number from 1" : "milliseconds (0 or more)", text);
    return false;
}

/* The flag as the user typed it, for messages about it. */
static const char *cat_flag_text(char **argv, int optind_now, int opt)
{
    static char buf[8];
    const char *typed = argv[optind_now - 1];
    if (strncmp(typed, "--", 2) != 0 && opt > 0 && opt < 256) {
        snprintf(buf, sizeof buf, "-%c", opt);
        return buf;
    }
    return typed;
}

static int cat_parse(int argc, char **argv, cat_args_t *a, bool *help)
{
    static const struct option longopts[] = {
        {"bind", no_argument, NULL, 'b'},
        {"connect", no_argument, NULL, 'c'},
        {"write", no_argument, NULL, 'w'},
        {"read", no_argument, NULL, 'r'},
        {"echo", no_argument, NULL, CAT_OPT_ECHO},
        {"count", required_argument, NULL, 'n'},
        {"multipart", no_argument, NULL, 'm'},
        {"option", required_argument, NULL, 'o'},
        {"timeout", required_argument, NULL, 't'},
        {"delay", required_argument, NULL, CAT_OPT_DELAY},
        {"auth", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *a = (cat_args_t){.type = -1, .bind = -1, .timeout_ms = -1};
    a->opts = calloc((size_t)argc, sizeof *a->opts);
    if (!a->opts)
        return cat_usage_error("out of memory");
    opterr = 0;
    optind = 1;
    int rc = 0, opt;
    while ((opt = getopt_long(argc, argv, ":bcwrn:m0o:t:A:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'b':
        case 'c':
            if (a->bind == (opt == 'c'))
                return cat_usage_error("-b and -c exclude each other: give one");
            a->bind = opt == 'b';
            break;
        case 'w':
            a->write = true;
            break;
        case 'r':
            a->read = true;
            break;
        case CAT_OPT_ECHO:
            a->echo = true;
            break;
        case 'n':
            if (!cat_parse_ms("-n", optarg, 1, &a->count, &rc))
                return rc;
            break;
        case 'm':
            a->multipart = true;
            break;
        case '0':
            a->nul = true;
            break;
        case 'o':
            if (!strchr(optarg, '=') || optarg[0] == '=')
                return cat_usage_error("-o expects NAME=VALUE, not '%s'", optarg);
            a->opts[a->nopts++] = optarg;
            break;
        case 't':
            if (!cat_parse_ms("-t", optarg, 0, &a->timeout_ms, &rc))
                return rc;
            break;
        case CAT_OPT_DELAY:
            if (!cat_parse_ms("--delay", optarg, 0, &a->delay_ms, &rc))
                return rc;
            break;
        case 'A':
            a->auth = true;
            break;
        case 'h':
            *help = true;
            return 0;
        case ':':
            return cat_usage_error("%s needs a value (zinc cat --help)",
                                   cat_flag_text(argv, optind, optopt));
        default:
            if (optopt > 0 && optopt < 256)
                return cat_usage_error("unknown flag '-%c' (zinc cat --help)", optopt);
            return cat_usage_error("unknown flag '%s' (zinc cat --help)", argv[optind - 1]);
        }
    }
    if (a->auth)
        return cat_usage_error("-A/--auth: the built-in authenticator is not built yet");
    if (optind >= argc)
        return cat_usage_error("missing TYPE and ENDPOINT (zinc cat --help)");
    const char *type = argv[optind++];
    a->type = zinc_socket_type_from_name(type);
    if (a->type < 0)
        return cat_usage_error("unknown socket type '%s' (pair, pub, sub, xpub, xsub, req, rep, "
                               "dealer, router, push, pull, stream)",
                               type);
    if (optind >= argc)
        return cat_usage_error("missing ENDPOINT after %s (zinc cat --help)", type);
    a->eps = argv + optind;
    a->neps = (size_t)(argc - optind);
    if (a->echo && a->write)
        return cat_usage_error("--echo and -w exclude each other: give one");
    if (!a->write && !a->read && !a->echo) {
        switch (a->type) {
        case ZINC_PUSH:
        case ZINC_PUB:
        case ZINC_REQ:
            a->write = true;
            break;
        case ZINC_PULL:
        case ZINC_SUB:
        case ZINC_XSUB:
            a->read = true;
            break;
        default:
            return cat_usage_error("say what a %s socket does: -r, -w or --echo",
                                   zinc_socket_type_name(a->type));
        }
    }
    if (a->type == ZINC_REQ && a->write)
        a->read = true;
    return 0;
}

/* ---- messages ------------------------------------------------------------- */

static void cat_drop_msg(cat_t *c)
{
    for (size_t i = 0; i < c->nmsg; i++)
        zinc_frame_unref(c->msg[i]);
    c->nmsg = 0;
}

/* Sends one frame of len octets; the tracker follows it. 0 or errno. */
static int cat_send_frame(cat_t *c, zinc_frame_t *f, bool more)
{
    /* A frame that came from an inproc peer may carry that peer's tracker:
     * it then stays untracked here (inproc has nothing to flush). */
    (void)zinc_frame_track(f, c->tracker);
    if (zinc_send_frame(c->s, f, more ? ZINC_MORE : 0) != 0) {
        int err = errno;
        zinc_frame_unref(f);
        return err;
    }
    return 0;
}

/* Sends a record from stdin: one frame, or (with -m) one per TAB-separated
 * field. 0 or errno. */
static int cat_send_record(cat_t *c, const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    for (;;) {
        const char *tab = c->a->multipart ? memchr(p, '\t', (size_t)(end - p)) : NULL;
        const char *stop = tab ? tab : end;
        zinc_frame_t *f = zinc_frame_new(p, (size_t)(stop - p));
        if (!f)
            return errno;
        int err = cat_send_frame(c, f, tab != NULL);
        if (err)
            return err;
        if (!tab)
            return 0;
        p = tab + 1;
    }
}

/* Sends raw octets as one single-frame message. 0 or errno. */
static int cat_send_raw(cat_t *c, const void *data, size_t len)
{
    zinc_frame_t *f = zinc_frame_new(data, len);
    return f ? cat_send_frame(c, f, false) : errno;
}

/* Receives a whole message into c->msg. 0 or errno. */
static int cat_recv_msg(cat_t *c)
{
    cat_drop_msg(c);
    for (;;) {
        zinc_frame_t *f = zinc_recv_frame(c->s, 0);
        if (!f)
            return errno;
        if (c->nmsg == c->cap_msg) {
            size_t n = c->cap_msg ? c->cap_msg * 2 : 8;
            zinc_frame_t **m = realloc(c->msg, n * sizeof *m);
            if (!m) {
                zinc_frame_unref(f);
                return ENOMEM;
            }
            c->msg = m;
            c->cap_msg = n;
        }
        c->msg[c->nmsg++] = f;
        if (!zinc_frame_more(f))
            return 0;
    }
}

/* STREAM's connect and disconnect notices: [routing id, empty]. */
static bool cat_is_notice(const cat_t *c)
{
    return c->a->type == ZINC_STREAM && c->nmsg == 2 && zinc_frame_size(c->msg[1]) == 0;
}

/* Prints c->msg. 0 or errno. */
static int cat_print_msg(cat_t *c)
{
    errno = 0;
    for (size_t i = 0; i < c->nmsg; i++) {
        size_t n = zinc_frame_size(c->msg[i]);
        if (n && fwrite(zinc_frame_data(c->msg[i]), 1, n, stdout) != n)
            return errno ? errno : EIO;
        char sep = c->a->multipart && i + 1 < c->nmsg ? '\t' : c->term;
        if (putchar(sep) == EOF)
            return errno ? errno : EIO;
    }
    if (fflush(stdout) != 0)
        return errno ? errno : EIO;
    return 0;
}

/* Sends c->msg back, all frames. 0 or errno. */
static int cat_echo_msg(cat_t *c)
{
    for (size_t i = 0; i < c->nmsg; i++) {
        int err = cat_send_frame(c, c->msg[i], i + 1 < c->nmsg);
        c->msg[i] = NULL; /* sent, or unref'd on failure */
        if (err) {
            for (size_t j = i + 1; j < c->nmsg; j++)
                zinc_frame_unref(c->msg[j]);
            c->nmsg = 0;
            return err;
        }
    }
    c->nmsg = 0;
    return 0;
}

/* Next record of stdin into c->line (terminator removed). 1, 0 at the end
 * of input, or -1 on a read error. */
static int cat_read_record(cat_t *c, size_t *len)
{
    errno = 0;
    ssize_t n = getdelim(&c->line, &c->line_cap, c->term, stdin);
    if (n < 0)
        return ferror(stdin) ? -1 : 0;
    if (n > 0 && c->line[n - 1] == c->term)
        n--;
    *len = (size_t)n;
    return 1;
}

/* ---- outcomes ------------------------------------------------------------- */

/* The status for a failed send or receive (errno err); says why on stderr. */
static int cat_io_failure(cat_t *c, int err, const char *what)
{
    if (err == EAGAIN) {
        /* -t, or rcvtimeo/sndtimeo given with -o */
        bool rx = strcmp(what, "receive") == 0;
        int64_t ms = c->a->timeout_ms;
        if (ms < 0 && zinc_get_int(c->s, rx ? "rcvtimeo" : "sndtimeo", &ms) != 0)
            ms = -1;
        fprintf(stderr, "zinc cat: %s within %lld ms\n", rx ? "no message" : "could not send",
                (long long)ms);
        return ZT_EXIT_TIMEOUT;
    }
    fprintf(stderr, "zinc cat: %s: %s\n", what, zinc_strerror(err));
    return ZT_EXIT_RUNTIME;
}

/* A failed write to stdout: a reader that went away (EPIPE) ends the run
 * quietly; anything else is a runtime error. */
static int cat_stdout_failure(int err)
{
    if (err == EPIPE)
        return ZT_EXIT_OK;
    fprintf(stderr, "zinc cat: stdout: %s\n", strerror(err));
    return ZT_EXIT_RUNTIME;
}

/* Waits until every frame sent has left, bounded by linger; if that time
 * ran out, what is left is dropped at close. */
static void cat_flush(cat_t *c)
{
    if (zinc_tracker_done(c->tracker))
        return;
    int64_t linger = -1;
    if (zinc_get_int(c->s, "linger", &linger) != 0)
        linger = -1;
    int ms = linger < 0 ? -1 : linger > INT_MAX ? INT_MAX : (int)linger;
    if (zinc_tracker_wait(c->tracker, ms) != 0)
        zinc_set_int(c->s, "linger", 0);
}

/* ---- the loops ------------------------------------------------------------ */

static bool cat_count_reached(const cat_t *c, int64_t n)
{
    return c->a->count > 0 && n >= c->a->count;
}

/* -w alone: each record is a message. */
static int cat_run_write(cat_t *c)
{
    int64_t sent = 0;
    size_t len;
    int r;
    while ((r = cat_read_record(c, &len)) > 0) {
        int err = cat_send_record(c, c->line, len);
        if (err)
            return cat_io_failure(c, err, "send");
        if (cat_count_reached(c, ++sent))
            return ZT_EXIT_OK;
    }
    if (r < 0) {
        fprintf(stderr, "zinc cat: stdin: %s\n", strerror(errno));
        return ZT_EXIT_RUNTIME;
    }
    return ZT_EXIT_OK;
}

/* -r alone, or --echo (with -r: also printed). */
static int cat_run_read(cat_t *c)
{
    int64_t received = 0;
    for (;;) {
        int err = cat_recv_msg(c);
        if (err)
            return cat_io_failure(c, err, "receive");
        if (cat_is_notice(c) && c->a->echo)
            continue;
        if (c->a->read && (err = cat_print_msg(c)) != 0)
            return cat_stdout_failure(err);
        if (cat_is_notice(c))
            continue;
        if (c->a->echo && (err = cat_echo_msg(c)) != 0)
            return cat_io_failure(c, err, "send");
        if (cat_count_reached(c, ++received))
            return ZT_EXIT_OK;
    }
}

/* A rep with -w and -r, between requests: waits for the next request or
 * for stdin to have something. When stdin comes first, its next record is
 * read ahead (*ahead, length *len): the answer to that request. Returns 0
 * to go on receiving, -1 at the end of input (done), or an exit status. */
static int cat_wait_request(cat_t *c, bool *ahead, size_t *len)
{
    while (!*ahead) {
        zinc_pollitem_t it[2] = {{.socket = c->s, .events = ZINC_POLLIN},
                                 {.fd = 0, .events = ZINC_POLLIN}};
        int n = zinc_poll(it, 2, c->a->timeout_ms);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return cat_io_failure(c, errno, "receive");
        }
        if (n == 0)
            return cat_io_failure(c, EAGAIN, "receive");
        if (it[0].revents & ZINC_POLLIN)
            return 0;
        int r = cat_read_record(c, len);
        if (r < 0) {
            fprintf(stderr, "zinc cat: stdin: %s\n", strerror(errno));
            return ZT_EXIT_RUNTIME;
        }
        if (r == 0)
            return -1;
        *ahead = true;
    }
    return 0;
}

/* -w and -r: send a record, then receive and print one message; a rep
 * receives first and answers with the next record, and ends at the end of
 * input without waiting for a request it has no answer to. */
static int cat_run_ask(cat_t *c)
{
    bool answer = c->a->type == ZINC_REP;
    bool ahead = false; /* rep: the next record was read already */
    int64_t received = 0;
    size_t len = 0;
    for (;;) {
        int err;
        if (answer) {
            int st = cat_wait_request(c, &ahead, &len);
            if (st == -1)
                return ZT_EXIT_OK;
            if (st != 0)
                return st;
            if ((err = cat_recv_msg(c)) != 0)
                return cat_io_failure(c, err, "receive");
            if ((err = cat_print_msg(c)) != 0)
                return cat_stdout_failure(err);
            received++;
        }
        if (!ahead) {
            int r = cat_read_record(c, &len);
            if (r < 0) {
                fprintf(stderr, "zinc cat: stdin: %s\n", strerror(errno));
                return ZT_EXIT_RUNTIME;
            }
            if (r == 0)
                return ZT_EXIT_OK;
        }
        ahead = false;
        if ((err = cat_send_record(c, c->line, len)) != 0)
            return cat_io_failure(c, err, "send");
        if (!answer) {
            if ((err = cat_recv_msg(c)) != 0)
                return cat_io_failure(c, err, "receive");
            if ((err = cat_print_msg(c)) != 0)
                return cat_stdout_failure(err);
            received++;
        }
        if (cat_count_reached(c, received))
            return ZT_EXIT_OK;
    }
}

/* ---- setting up ----------------------------------------------------------- */

static bool cat_is_sub_option(const char *name, const char *which)
{
    const zinc_option_t *o = zinc_option_find(name);
    return o && strcmp(zinc_option_name(o), which) == 0;
}

/* An xsub subscribes by sending "\x01topic" (and unsubscribes with "\x00"). */
static int cat_add_xsub(cat_t *c, bool subscribe, const char *topic)
{
    size_t n = strlen(topic);
    char *m = malloc(n + 1);
    char **subs = realloc(c->subs, (c->nsubs + 1) * sizeof *subs);
    if (subs)
        c->subs = subs;
    size_t *lens = realloc(c->sub_lens, (c->nsubs + 1) * sizeof *lens);
    if (lens)
        c->sub_lens = lens;
    if (!m || !subs || !lens) {
        free(m);
        return ENOMEM;
    }
    m[0] = subscribe ? 1 : 0;
    memcpy(m + 1, topic, n);
    c->subs[c->nsubs] = m;
    c->sub_lens[c->nsubs++] = n + 1;
    return 0;
}

/* Applies the -o options in order. */
static int cat_apply_options(cat_t *c, bool *subscribed)
{
    for (size_t i = 0; i < c->a->nopts; i++) {
        const char *arg = c->a->opts[i];
        const char *eq = strchr(arg, '=');
        char name[128];
        size_t n = (size_t)(eq - arg);
        if (n >= sizeof name)
            return cat_usage_error("-o %s: option name too long", arg);
        memcpy(name, arg, n);
        name[n] = '\0';
        const char *value = eq + 1;
        bool sub = cat_is_sub_option(name, "subscribe");
        if (sub || cat_is_sub_option(name, "unsubscribe")) {
            *subscribed = *subscribed || sub;
            if (c->a->type == ZINC_XSUB) {
                if (cat_add_xsub(c, sub, value) != 0)
                    return cat_usage_error("out of memory");
                continue;
            }
        }
        if (zinc_set(c->s, name, value) == 0)
            continue;
        int err = errno;
        const char *detail = zinc_last_error_detail();
        if (err != EINVAL) {
            fprintf(stderr, "zinc cat: -o %s: %s%s%s%s\n", arg, zinc_strerror(err),
                    *detail ? " (" : "", detail, *detail ? ")" : "");
            return ZT_EXIT_RUNTIME;
        }
        if (!zinc_option_find(name) && !strstr(detail, "did you mean")) {
            char near[128];
            if (zinc_option_suggest(name, near, sizeof near) > 0)
                return cat_usage_error("-o %s: unknown option '%s' (did you mean %s?)", arg, name,
                                       near);
            return cat_usage_error("-o %s: unknown option '%s'", arg, name);
        }
        return cat_usage_error("-o %s: %s", arg, *detail ? detail : zinc_strerror(err));
    }
    return 0;
}

/* errno values of bind/connect that mean the endpoint text is wrong. */
static bool cat_bad_endpoint(int err)
{
    return err == EINVAL || err == EPROTONOSUPPORT || err == ENAMETOOLONG || err == ENODEV ||
           err == EAFNOSUPPORT || err == ZINC_ENOCOMPATPROTO;
}

static int cat_attach(cat_t *c)
{
    bool bind = c->a->bind == 1;
    for (size_t i = 0; i < c->a->neps; i++) {
        const char *ep = c->a->eps[i];
        if ((bind ? zinc_bind(c->s, ep) : zinc_connect(c->s, ep)) != 0) {
            int err = errno;
            if (cat_bad_endpoint(err))
                return cat_usage_error("bad endpoint '%s' for %s: %s (tcp://HOST:PORT, "
                                       "ipc://PATH or inproc://NAME)",
                                       ep, bind ? "bind" : "connect", zinc_strerror(err));
            fprintf(stderr, "zinc cat: cannot %s %s: %s\n", bind ? "bind to" : "connect to", ep,
                    zinc_strerror(err));
            return ZT_EXIT_RUNTIME;
        }
        size_t n = strlen(ep);
        bool wild = strchr(ep, '*') || (n > 2 && strcmp(ep + n - 2, ":0") == 0);
        if (bind && wild) {
            char got[512];
            size_t len = sizeof got;
            if (zinc_get(c->s, "last_endpoint", got, &len) == 0)
                fprintf(stderr, "zinc cat: bound to %s\n", got);
        }
    }
    return 0;
}

static int cat_setup(cat_t *c)
{
    const cat_args_t *a = c->a;
    c->s = zinc_socket_new(c->ctx, a->type);
    if (!c->s) {
        int err = errno;
        const char *detail = zinc_last_error_detail();
        fprintf(stderr, "zinc cat: cannot make a %s socket: %s%s%s%s\n",
                zinc_socket_type_name(a->type), zinc_strerror(err), *detail ? " (" : "", detail,
                *detail ? ")" : "");
        return ZT_EXIT_RUNTIME;
    }
    bool subscribed = false;
    int rc = cat_apply_options(c, &subscribed);
    if (rc)
        return rc;
    if (a->type == ZINC_SUB && !subscribed && zinc_set(c->s, "subscribe", "") != 0) {
        fprintf(stderr, "zinc cat: subscribe: %s\n", zinc_strerror(errno));
        return ZT_EXIT_RUNTIME;
    }
    if (a->type == ZINC_XSUB && !subscribed && cat_add_xsub(c, true, "") != 0)
        return cat_usage_error("out of memory");
    if (a->timeout_ms >= 0 && (zinc_set_int(c->s, "rcvtimeo", a->timeout_ms) != 0 ||
                               zinc_set_int(c->s, "sndtimeo", a->timeout_ms) != 0)) {
        fprintf(stderr, "zinc cat: -t: %s\n", zinc_strerror(errno));
        return ZT_EXIT_RUNTIME;
    }
    if ((rc = cat_attach(c)) != 0)
        return rc;
    for (size_t i = 0; i < c->nsubs; i++) {
        int err = cat_send_raw(c, c->subs[i], c->sub_lens[i]);
        if (err)
            return cat_io_failure(c, err, "subscribe");
    }
    zt_sleep_ms(a->delay_ms);
    return 0;
}

static void cat_free(cat_t *c)
{
    cat_drop_msg(c);
    free(c->msg);
    free(c->line);
    for (size_t i = 0; i < c->nsubs; i++)
        free(c->subs[i]);
    free(c->subs);
    free(c->sub_lens);
    zinc_tracker_free(c->tracker);
}

int zt_cat_main(int argc, char **argv)
{
    cat_args_t a;
    bool help = false;
    int rc = cat_parse(argc, argv, &a, &help);
    if (rc || help) {
        free(a.opts);
        if (help)
            fputs(cat_usage, stdout);
        return rc;
    }
    cat_t c = {.a = &a, .term = a.nul ? '\0' : '\n'};
    c.ctx = zinc_ctx_new();
    c.tracker = c.ctx ? zinc_tracker_new() : NULL;
    if (!c.ctx || !c.tracker) {
        fprintf(stderr, "zinc cat: %s\n", zinc_strerror(errno));
        if (c.ctx)
            zinc_ctx_term(c.ctx);
        free(a.opts);
        return ZT_EXIT_RUNTIME;
    }
    rc = cat_setup(&c);
    if (rc == 0) {
        if (a.write && a.read)
            rc = cat_run_ask(&c);
        else if (a.write)
            rc = cat_run_write(&c);
        else
            rc = cat_run_read(&c);
    }
    if (c.s) {
        if (rc == ZT_EXIT_OK)
            cat_flush(&c);
        else
            zinc_set_int(c.s, "linger", 0);
        zinc_socket_close(c.s);
    }
    zinc_ctx_term(c.ctx);
    cat_free(&c);
    free(a.opts);
    return rc;
}
