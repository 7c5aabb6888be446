/* `zinc keygen`: makes a CURVE key pair, prints it or writes a certificate
 * pair (CZMQ's and pyzmq's NAME.key and NAME.key_secret). A user of the
 * public API only (zinc_curve_keypair, zinc_curve_public, zinc_cert_*).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zinc_tool.h"

static const char keygen_usage[] =
    "usage: zinc keygen [OPTIONS] [BASENAME]\n"
    "\n"
    "  Makes a CURVE key pair (libsodium's crypto_box_keypair, as libzmq's\n"
    "  zmq_curve_keypair does).\n"
    "\n"
    "  Without BASENAME, prints the pair on stdout as two lines:\n"
    "      public: <40 Z85 characters>\n"
    "      secret: <40 Z85 characters>\n"
    "  With BASENAME (or -o BASENAME), writes a certificate pair instead, the files CZMQ's\n"
    "  zcert and pyzmq's zmq.auth read: BASENAME.key (public, mode 0644) and\n"
    "  BASENAME.key_secret (both keys, mode 0600), and prints only the public line.\n"
    "  A BASENAME that already ends in .key is not given a second one.\n"
    "\n"
    "  -o, --output BASENAME   write BASENAME.key and BASENAME.key_secret\n"
    "  -m, --meta NAME=VALUE   a metadata entry of the certificate (repeatable; NAME is\n"
    "                          letters, digits and $-_@.&+/; needs BASENAME)\n"
    "  -f, --force             replace certificate files that exist (else refused)\n"
    "  -p, --public SECRET     print the public line of a Z85 secret key instead\n"
    "                          (libzmq's zmq_curve_public); makes no key pair\n"
    "  -h, --help              this text\n"
    "\n"
    "  Exit status: 0 done, 2 usage error (one line naming the problem), 3 runtime error\n"
    "  (a file exists, or could not be written).\n";

static int keygen_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int keygen_runtime_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

__attribute__((format(printf, 2, 0))) static int keygen_say(int status, const char *fmt, va_list ap)
{
    fputs("zinc keygen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    return status;
}

/* One line on stderr, exit status 2. */
static int keygen_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = keygen_say(ZT_EXIT_USAGE, fmt, ap);
    va_end(ap);
    return rc;
}

/* One line on stderr, exit status 3. */
static int keygen_runtime_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = keygen_say(ZT_EXIT_RUNTIME, fmt, ap);
    va_end(ap);
    return rc;
}

/* The flag as the user typed it, for messages about it. */
static const char *keygen_flag_text(char **argv, int optind_now, int opt)
{
    static char buf[8];
    const char *typed = argv[optind_now - 1];
    if (strncmp(typed, "--", 2) != 0 && opt > 0 && opt < 256) {
        snprintf(buf, sizeof buf, "-%c", opt);
        return buf;
    }
    return typed;
}

typedef struct {
    const char *base;   /* -o or the operand; NULL: print the pair */
    const char *secret; /* -p */
    char **meta;        /* -m arguments, NAME=VALUE */
    size_t nmeta;
    bool force;
} keygen_args_t;

static int keygen_parse(int argc, char **argv, keygen_args_t *a, bool *help)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"meta", required_argument, NULL, 'm'},
        {"force", no_argument, NULL, 'f'},        {"public", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    a->meta = calloc((size_t)argc, sizeof *a->meta);
    if (!a->meta)
        return keygen_usage_error("out of memory");
    opterr = 0;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, ":o:m:fp:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            if (a->base)
                return keygen_usage_error("one BASENAME only, not '%s' and '%s'", a->base, optarg);
            if (!*optarg)
                return keygen_usage_error("-o expects a BASENAME, not ''");
            a->base = optarg;
            break;
        case 'm':
            if (!strchr(optarg, '=') || optarg[0] == '=')
                return keygen_usage_error("-m expects NAME=VALUE, not '%s'", optarg);
            a->meta[a->nmeta++] = optarg;
            break;
        case 'f':
            a->force = true;
            break;
        case 'p':
            a->secret = optarg;
            break;
        case 'h':
            *help = true;
            return 0;
        case ':':
            return keygen_usage_error("%s needs a value (zinc keygen --help)",
                                      keygen_flag_text(argv, optind, optopt));
        default:
            if (optopt > 0 && optopt < 256)
                return keygen_usage_error("unknown flag '-%c' (zinc keygen --help)", optopt);
            return keygen_usage_error("unknown flag '%s' (zinc keygen --help)", argv[optind - 1]);
        }
    }
    for (int i = optind; i < argc; i++) {
        if (a->base)
            return keygen_usage_error("one BASENAME only, not '%s' and '%s'", a->base, argv[i]);
        if (!*argv[i])
            return keygen_usage_error("BASENAME is empty");
        a->base = argv[i];
    }
    if (a->secret && (a->base || a->nmeta || a->force))
        return keygen_usage_error("-p prints a public key: it takes no BASENAME, -m or -f");
    if (a->nmeta && !a->base)
        return keygen_usage_error("-m sets certificate metadata: give a BASENAME to write");
    if (a->force && !a->base)
        return keygen_usage_error("-f replaces certificate files: give a BASENAME to write");
    return 0;
}

/* -p SECRET */
static int keygen_public(const char *secret)
{
    char pub[41];
    if (zinc_curve_public(pub, secret) != 0)
        return keygen_usage_error("-p expects a secret key of 40 Z85 characters (not shown)");
    printf("public: %s\n", pub);
    return ZT_EXIT_OK;
}

static int keygen_print_pair(void)
{
    char pub[41], sec[41];
    if (zinc_curve_keypair(pub, sec) != 0)
        return keygen_runtime_error("no key pair: %s", zinc_strerror(zinc_errno()));
    printf("public: %s\nsecret: %s\n", pub, sec);
    return ZT_EXIT_OK;
}

/* Applies the -m arguments to c; the exit status, 0 when all were taken. */
static int keygen_meta(zinc_cert_t *c, const keygen_args_t *a)
{
    for (size_t i = 0; i < a->nmeta; i++) {
        const char *arg = a->meta[i];
        const char *eq = strchr(arg, '=');
        size_t nl = (size_t)(eq - arg);
        char name[ZINC_CERT_META_NAME_MAX + 1];
        if (nl >= sizeof name)
            return keygen_usage_error("-m %.40s...: the name is longer than %d octets", arg,
                                      ZINC_CERT_META_NAME_MAX);
        memcpy(name, arg, nl);
        name[nl] = '\0';
        if (zinc_cert_meta(c, name))
            return keygen_usage_error("-m %s: '%s' is given twice", arg, name);
        if (zinc_cert_set_meta(c, name, eq + 1) != 0) {
            const char *why = zinc_last_error_detail();
            const char *colon = strstr(why, ": ");
            return keygen_usage_error("-m %s: %s", arg, colon ? colon + 2 : why);
        }
    }
    return ZT_EXIT_OK;
}

static int keygen_write(const keygen_args_t *a)
{
    /* BASENAME.key and BASENAME.key_secret; "x.key" is taken as "x". */
    size_t bl = strlen(a->base);
    if (bl >= 4 && strcmp(a->base + bl - 4, ".key") == 0)
        bl -= 4;
    if (bl == 0)
        return keygen_usage_error("BASENAME '%s' names no file", a->base);
    char *pub_path = malloc(bl + sizeof ".key");
    char *sec_path = malloc(bl + sizeof ".key_secret");
    zinc_cert_t *c = NULL;
    int rc = ZT_EXIT_OK;
    if (!pub_path || !sec_path) {
        rc = keygen_runtime_error("out of memory");
        goto out;
    }
    snprintf(pub_path, bl + sizeof ".key", "%.*s.key", (int)bl, a->base);
    snprintf(sec_path, bl + sizeof ".key_secret", "%.*s.key_secret", (int)bl, a->base);
    c = zinc_cert_new();
    if (!c) {
        rc = keygen_runtime_error("no key pair: %s", zinc_strerror(zinc_errno()));
        goto out;
    }
    rc = keygen_meta(c, a);
    if (rc != ZT_EXIT_OK)
        goto out;
    if (!a->force) {
        const char *exists = access(pub_path, F_OK) == 0   ? pub_path
                             : access(sec_path, F_OK) == 0 ? sec_path
                                                           : NULL;
        if (exists) {
            rc = keygen_runtime_error("%s exists (-f replaces it)", exists);
            goto out;
        }
    }
    if (zinc_cert_save(c, pub_path) != 0) {
        rc = keygen_runtime_error("%s", zinc_last_error_detail());
        goto out;
    }
    printf("public: %s\n", zinc_cert_public_txt(c));
out:
    zinc_cert_free(c);
    free(sec_path);
    free(pub_path);
    return rc;
}

int zt_keygen_main(int argc, char **argv)
{
    keygen_args_t a = {0};
    bool help = false;
    int rc = keygen_parse(argc, argv, &a, &help);
    if (rc == 0 && help)
        fputs(keygen_usage, stdout);
    else if (rc == 0 && a.secret)
        rc = keygen_public(a.secret);
    else if (rc == 0 && a.base)
        rc = keygen_write(&a);
    else if (rc == 0)
        rc = keygen_print_pair();
    free(a.meta);
    if (rc == ZT_EXIT_OK && fflush(stdout) != 0)
        rc = keygen_runtime_error("cannot write to stdout: %s", strerror(errno));
    return rc;
}
