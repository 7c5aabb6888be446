/* zinc's option defaults equal libzmq's.
 *
 * Runs tests/peers/pyzmq_option_defaults.py with the system python (pyzmq on
 * the system libzmq), which prints every readable option of a fresh socket of
 * each standard type (0..11) as JSON, and compares each value with the one a
 * fresh zi_optset_t of that type holds. Every mismatch is listed, then the
 * test fails. Skipped (exit 77 for Meson) when python cannot import zmq.
 *
 * Environment: ZINC_PYTHON (default /usr/bin/python3) and
 * ZINC_OPTION_DEFAULTS_SCRIPT (the script's path).
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cJSON.h>
#include <cmocka.h>

#include "core/optset.h"
#include "zinc.h"

/* Values libzmq reports live, from the socket's state rather than from an
 * option default: a file descriptor number, the readiness bits of a just-made
 * socket (PUB, ROUTER, XPUB... are writable at once), the "more" flag of the
 * last frame and the last bound endpoint. zinc's optset holds only stand-ins
 * for them (the socket answers through its live hook), so they are not
 * compared. */
static const char *const live_options[] = {"fd", "events", "rcvmore", "last_endpoint",
                                           "topics_count"};

static bool is_live(const char *name)
{
    for (size_t i = 0; i < sizeof live_options / sizeof live_options[0]; i++)
        if (strcmp(name, live_options[i]) == 0)
            return true;
    return false;
}

static bool skipped;

/* Runs the script; returns its stdout (malloc'd) or NULL. */
static char *run_script(const char *python, const char *script)
{
    if (strchr(python, '\'') || strchr(script, '\''))
        return NULL;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' '%s'", python, script);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            break;
        if (len + 4096 > cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, p);
        if (n == 0)
            break;
        len += n;
    }
    int status = pclose(p);
    if (buf)
        buf[len] = '\0';
    if (buf && (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        fprintf(stderr, "%s exited with status %d:\n%s\n", cmd, status, buf);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127) /* no python at all */
            snprintf(buf, cap, "{\"skip\": \"%s not found\"}", python);
        else
            buf[0] = '\0';
    }
    return buf;
}

static void hex_of(const uint8_t *p, size_t n, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    size_t k = 0;
    for (size_t i = 0; i < n && k + 2 < cap; i++) {
        out[k++] = digits[p[i] >> 4];
        out[k++] = digits[p[i] & 15];
    }
    out[k] = '\0';
}

typedef struct {
    char *text;
    size_t len, cap;
    int count;
} report_t;

static void report(report_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(report_t *r, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t add = strlen(line);
    if (r->len + add + 2 > r->cap) {
        size_t cap = (r->cap + add + 2) * 2;
        char *t = realloc(r->text, cap);
        assert_non_null(t);
        r->text = t;
        r->cap = cap;
    }
    memcpy(r->text + r->len, line, add);
    r->len += add;
    r->text[r->len++] = '\n';
    r->text[r->len] = '\0';
    r->count++;
}

/* Compares one libzmq value with zinc's default on socket type t. */
static bool compare_one(report_t *bad, report_t *info, int t, const zi_optset_t *os,
                        const cJSON *item, int *compared)
{
    const char *name = item->string;
    const zi_option_t *opt = zi_option_lookup(zi_option_table, ZI_OPT_COUNT, name);
    if (!opt) {
        report(bad, "%-7s %-28s libzmq has it, zinc's table does not", zi_socktype_name(t), name);
        return false;
    }
    if (is_live(opt->name))
        return true;
    if (!(opt->types & ZI_ST(t))) {
        report(info, "%-7s %-28s libzmq reads it; zinc: does not apply to this type",
               zi_socktype_name(t), opt->name);
        return true;
    }
    zi_optval_t v;
    zi_optset_value(os, opt, &v);
    (*compared)++;
    if (cJSON_IsNumber(item)) {
        if (opt->type == ZINC_OPT_BYTES || opt->type == ZINC_OPT_STRING ||
            opt->type == ZINC_OPT_CURVE_KEY) {
            report(bad, "%-7s %-28s libzmq: number %.0f, zinc: %s", zi_socktype_name(t), opt->name,
                   item->valuedouble, zinc_option_type_name(opt->type));
            return false;
        }
        /* JSON numbers are doubles: exact for every default (|v| < 2^53). */
        double want = item->valuedouble;
        double have = opt->type == ZINC_OPT_UINT64 ? (double)(uint64_t)v.i : (double)v.i;
        if (want != have) {
            report(bad, "%-7s %-28s libzmq: %.0f  zinc: %.0f", zi_socktype_name(t), opt->name, want,
                   have);
            return false;
        }
        return true;
    }
    const cJSON *hex = cJSON_GetObjectItemCaseSensitive(item, "hex");
    if (!cJSON_IsString(hex)) {
        report(bad, "%-7s %-28s unexpected JSON value", zi_socktype_name(t), opt->name);
        return false;
    }
    char mine[2 * 256 + 1];
    if (opt->type == ZINC_OPT_CURVE_KEY)
        hex_of(v.key, sizeof v.key, mine, sizeof mine);
    else if (opt->type == ZINC_OPT_BYTES || opt->type == ZINC_OPT_STRING)
        hex_of(v.data, v.len, mine, sizeof mine);
    else
        snprintf(mine, sizeof mine, "(%s %" PRId64 ")", zinc_option_type_name(opt->type), v.i);
    if (strcmp(mine, hex->valuestring) != 0) {
        report(bad, "%-7s %-28s libzmq: hex '%s'  zinc: hex '%s'", zi_socktype_name(t), opt->name,
               hex->valuestring, mine);
        return false;
    }
    return true;
}

static void test_defaults_equal_libzmq_for_every_standard_socket_type(void **state)
{
    (void)state;
    const char *python = getenv("ZINC_PYTHON");
    const char *script = getenv("ZINC_OPTION_DEFAULTS_SCRIPT");
    if (!python || !*python)
        python = "/usr/bin/python3";
    if (!script || !*script) {
        fprintf(stderr, "ZINC_OPTION_DEFAULTS_SCRIPT is not set\n");
        skipped = true;
        skip();
    }
    char *out = run_script(python, script);
    assert_non_null(out);
    cJSON *root = cJSON_Parse(out);
    if (!root)
        fail_msg("the script's output is not JSON:\n%s", out);
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(root, "skip");
    if (cJSON_IsString(why)) {
        fprintf(stderr, "skipped: %s\n", why->valuestring);
        cJSON_Delete(root);
        free(out);
        skipped = true;
        skip();
    }
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "libzmq");
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(root, "types");
    assert_true(cJSON_IsObject(types));

    report_t bad = {0}, info = {0};
    int compared = 0, seen_types = 0;
    for (int t = ZINC_PAIR; t <= ZINC_STREAM; t++) {
        char key[4];
        snprintf(key, sizeof key, "%d", t);
        const cJSON *values = cJSON_GetObjectItemCaseSensitive(types, key);
        if (!cJSON_IsObject(values)) {
            report(&bad, "%-7s no values from libzmq", zi_socktype_name(t));
            continue;
        }
        seen_types++;
        zi_optset_t os;
        assert_int_equal(zi_optset_init(&os, t), 0);
        const cJSON *item;
        cJSON_ArrayForEach(item, values) compare_one(&bad, &info, t, &os, item, &compared);
        zi_optset_fini(&os);
    }
    fprintf(stderr, "libzmq %s: compared %d default values over %d socket types; not compared: ",
            cJSON_IsString(version) ? version->valuestring : "?", compared, seen_types);
    for (size_t i = 0; i < sizeof live_options / sizeof live_options[0]; i++)
        fprintf(stderr, "%s%s", i ? ", " : "", live_options[i]);
    fprintf(stderr, " (live values)\n");
    if (info.count)
        fprintf(stderr, "%d readable in libzmq but narrower in zinc:\n%s", info.count, info.text);
    cJSON_Delete(root);
    free(out);
    free(info.text);
    if (bad.count) {
        fprintf(stderr, "%d mismatches with libzmq:\n%s", bad.count, bad.text);
        free(bad.text);
        fail_msg("zinc's defaults differ from libzmq's (listed above)");
    }
    assert_true(compared > 12 * 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_equal_libzmq_for_every_standard_socket_type),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (failed == 0 && skipped)
        return 77; /* Meson's "skipped" */
    return failed;
}
