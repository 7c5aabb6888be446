/* CURVE key pairs and certificate files (src/ext/cert.c): key pairs and
 * public keys against RFC 26's example keys, save/load round trips, file
 * modes, CZMQ- and pyzmq-shaped files, every malformed text refused with
 * EINVAL (each placed against a guard page), the secret wiped, and, when the
 * system python has pyzmq, files and keys exchanged with pyzmq and a real
 * CURVE connection made with zinc_curve_keypair's keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "ext/cert.h"
#include "pysec.h"
#include "testutil.h"
#include "zinc.h"

/* RFC 26 (CurveZMQ) example server key pair. */
static const char rfc26_public[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
static const char rfc26_secret[] = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
/* RFC 26 example client key pair. */
static const char rfc26_client_public[] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
static const char rfc26_client_secret[] = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

/* Copies tmpl into out with {P}, {S} and {O} replaced by the RFC 26 server
 * public key, its secret key and another (the client's) secret key. */
static size_t expand(char *out, size_t cap, const char *tmpl)
{
    size_t n = 0;
    while (*tmpl) {
        const char *sub = NULL;
        if (strncmp(tmpl, "{P}", 3) == 0)
            sub = rfc26_public;
        else if (strncmp(tmpl, "{S}", 3) == 0)
            sub = rfc26_secret;
        else if (strncmp(tmpl, "{O}", 3) == 0)
            sub = rfc26_client_secret;
        if (sub) {
            size_t k = strlen(sub);
            assert_true(n + k < cap);
            memcpy(out + n, sub, k);
            n += k;
            tmpl += 3;
        } else {
            assert_true(n + 1 < cap);
            out[n++] = *tmpl++;
        }
    }
    out[n] = '\0';
    return n;
}

/* ---- a scratch directory ---------------------------------------------------------- */

static char scratch[256];

static void scratch_make(void)
{
    snprintf(scratch, sizeof scratch, "%s/zinc-cert-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(scratch));
}

static void scratch_path(char *out, size_t cap, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", scratch, name);
    assert_true(n > 0 && (size_t)n < cap);
}

static void scratch_remove(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    assert_int_equal(system(cmd), 0);
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static mode_t file_mode(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

/* Parses text placed against a guard page, so an over-read faults. */
static zinc_cert_t *parse_guarded(const char *text, size_t len)
{
    uint8_t *g = zt_guard_copy(text, len);
    zinc_cert_t *c = zinc_cert_from_text((const char *)g, len);
    int e = errno;
    zt_guard_free(g);
    errno = e;
    return c;
}

static zinc_cert_t *parse_str(const char *text)
{
    return parse_guarded(text, strlen(text));
}

/* ---- key pairs ---------------------------------------------------------------------- */

static void test_curve_keypair_makes_40_char_z85_keys_that_belong_together(void **state)
{
    (void)state;
    char pub[41], sec[41], pub2[41], sec2[41], derived[41];
    assert_int_equal(zinc_curve_keypair(pub, sec), 0);
    assert_int_equal(strlen(pub), 40);
    assert_int_equal(strlen(sec), 40);
    uint8_t bpub[32], bsec[32], check[32];
    assert_non_null(zinc_z85_decode(bpub, pub));
    assert_non_null(zinc_z85_decode(bsec, sec));
    assert_int_equal(crypto_scalarmult_base(check, bsec), 0);
    assert_memory_equal(check, bpub, 32);
    assert_int_equal(zinc_curve_public(derived, sec), 0);
    assert_string_equal(derived, pub);
    /* a second call gives another pair */
    assert_int_equal(zinc_curve_keypair(pub2, sec2), 0);
    assert_string_not_equal(sec, sec2);
    assert_string_not_equal(pub, pub2);
}

static void test_curve_public_of_the_rfc26_secrets_is_the_rfc26_public_keys(void **state)
{
    (void)state;
    char pub[41];
    assert_int_equal(zinc_curve_public(pub, rfc26_secret), 0);
    assert_string_equal(pub, rfc26_public);
    assert_int_equal(zinc_curve_public(pub, rfc26_client_secret), 0);
    assert_string_equal(pub, rfc26_client_public);
}

static void test_curve_keypair_and_public_refuse_null_and_bad_secrets(void **state)
{
    (void)state;
    char pub[41], sec[41];
    errno = 0;
    assert_int_equal(zinc_curve_keypair(NULL, sec), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_curve_keypair(pub, NULL), -1);
    assert_int_equal(zinc_curve_public(NULL, rfc26_secret), -1);
    assert_int_equal(zinc_curve_public(pub, NULL), -1);
    static const char *const bad[] = {
        "",
        "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh",   /* 39 */
        "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6x", /* 41 */
        "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh\"", /* not Z85 */
        "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
        "%%%%%JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!N", /* a group above 2^32 - 1 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(pub, 'x', sizeof pub);
        errno = 0;
        assert_int_equal(zinc_curve_public(pub, bad[i]), -1);
        assert_int_equal(errno, EINVAL);
        assert_true(strlen(zinc_last_error_detail()) > 0);
    }
}

/* ---- the object ------------------------------------------------------------------------ */

static zinc_cert_t *rfc26_cert(bool with_secret)
{
    uint8_t pub[32], sec[32];
    assert_non_null(zinc_z85_decode(pub, rfc26_public));
    assert_non_null(zinc_z85_decode(sec, rfc26_secret));
    zinc_cert_t *c = zinc_cert_new_from(pub, with_secret ? sec : NULL);
    assert_non_null(c);
    return c;
}

static void test_cert_new_has_a_fresh_matching_pair_and_no_metadata(void **state)
{
    (void)state;
    zinc_cert_t *a = zinc_cert_new(), *b = zinc_cert_new();
    assert_non_null(a);
    assert_non_null(b);
    uint8_t derived[32];
    assert_non_null(zinc_cert_secret_key(a));
    assert_int_equal(crypto_scalarmult_base(derived, zinc_cert_secret_key(a)), 0);
    assert_memory_equal(derived, zinc_cert_public_key(a), 32);
    assert_memory_not_equal(zinc_cert_public_key(a), zinc_cert_public_key(b), 32);
    char txt[41];
    assert_non_null(zinc_z85_encode(txt, zinc_cert_public_key(a), 32));
    assert_string_equal(txt, zinc_cert_public_txt(a));
    assert_non_null(zinc_z85_encode(txt, zinc_cert_secret_key(a), 32));
    assert_string_equal(txt, zinc_cert_secret_txt(a));
    assert_int_equal(zinc_cert_meta_count(a), 0);
    assert_null(zinc_cert_meta_name(a, 0));
    assert_null(zinc_cert_meta(a, "name"));
    zinc_cert_free(a);
    zinc_cert_free(b);
    zinc_cert_free(NULL);
}

static void test_cert_new_from_refuses_a_secret_of_another_key(void **state)
{
    (void)state;
    uint8_t pub[32], other_sec[32];
    assert_non_null(zinc_z85_decode(pub, rfc26_public));
    assert_non_null(zinc_z85_decode(other_sec, rfc26_client_secret));
    errno = 0;
    assert_null(zinc_cert_new_from(pub, other_sec));
    assert_int_equal(errno, EINVAL);
    assert_null(zinc_cert_new_from(NULL, NULL));
    zinc_cert_t *c = zinc_cert_new_from(pub, NULL);
    assert_non_null(c);
    assert_null(zinc_cert_secret_key(c));
    assert_null(zinc_cert_secret_txt(c));
    assert_string_equal(zinc_cert_public_txt(c), rfc26_public);
    zinc_cert_free(c);
}

static void test_cert_set_meta_sets_replaces_removes_and_validates(void **state)
{
    (void)state;
    zinc_cert_t *c = rfc26_cert(true);
    assert_int_equal(zinc_cert_set_meta(c, "name", "Ada"), 0);
    assert_int_equal(zinc_cert_set_meta(c, "email", "ada@example.org"), 0);
    assert_int_equal(zinc_cert_set_meta(c, "name", "Ada Lovelace"), 0);
    assert_int_equal(zinc_cert_meta_count(c), 2);
    assert_string_equal(zinc_cert_meta_name(c, 0), "name");
    assert_string_equal(zinc_cert_meta_name(c, 1), "email");
    assert_string_equal(zinc_cert_meta(c, "name"), "Ada Lovelace");
    assert_null(zinc_cert_meta(c, "Name")); /* names keep their case */
    assert_int_equal(zinc_cert_set_meta(c, "name", NULL), 0);
    assert_int_equal(zinc_cert_meta_count(c), 1);
    assert_null(zinc_cert_meta(c, "name"));
    assert_int_equal(zinc_cert_set_meta(c, "absent", NULL), 0);
    assert_int_equal(zinc_cert_set_meta(c, "x.y-z_$@&+/9", ""), 0);
    assert_int_equal(zinc_cert_set_meta(c, "utf8", "Gr\xc3\xbc\xc3\x9f \xe2\x82\xac\t!"), 0);

    char long_name[300], long_value[5000];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    memset(long_value, 'v', sizeof long_value - 1);
    long_value[sizeof long_value - 1] = '\0';
    long_name[255] = '\0';
    assert_int_equal(zinc_cert_set_meta(c, long_name, "ok"), 0);
    long_name[255] = 'n';
    long_value[4096] = '\0';
    assert_int_equal(zinc_cert_set_meta(c, "long", long_value), 0);
    long_value[4096] = 'v';
    size_t before = zinc_cert_meta_count(c);

    struct {
        const char *name, *value;
    } bad[] = {
        {"", "x"},         {"a b", "x"},           {"a=b", "x"},
        {"a#", "x"},       {"\xc3\xbc", "x"},      {long_name, "x"},
        {"v", long_value}, {"v", "line\nbreak"},   {"v", "cr\rhere"},
        {"v", "del\x7f"},  {"v", "both \" and '"}, {"v", "\xc3"},
        {"v", "\xc0\xaf"}, {"v", "\xed\xa0\x80"},  {"v", "\xf4\x90\x80\x80"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        assert_int_equal(zinc_cert_set_meta(c, bad[i].name, bad[i].value), -1);
        assert_int_equal(errno, EINVAL);
    }
    assert_int_equal(zinc_cert_set_meta(NULL, "a", "b"), -1);
    assert_int_equal(zinc_cert_set_meta(c, NULL, "b"), -1);
    assert_int_equal(zinc_cert_meta_count(c), before);
    zinc_cert_free(c);
}

static void test_cert_meta_count_is_capped_at_256(void **state)
{
    (void)state;
    zinc_cert_t *c = rfc26_cert(false);
    char name[16];
    for (int i = 0; i < 256; i++) {
        snprintf(name, sizeof name, "k%d", i);
        assert_int_equal(zinc_cert_set_meta(c, name, "v"), 0);
    }
    errno = 0;
    assert_int_equal(zinc_cert_set_meta(c, "one-more", "v"), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_cert_set_meta(c, "k7", "replaced"), 0); /* replacing still works */
    zinc_cert_free(c);
}

static void test_cert_dup_copies_keys_and_metadata(void **state)
{
    (void)state;
    zinc_cert_t *c = rfc26_cert(true);
    assert_int_equal(zinc_cert_set_meta(c, "name", "copy me"), 0);
    zinc_cert_t *d = zinc_cert_dup(c);
    assert_non_null(d);
    zinc_cert_free(c);
    assert_string_equal(zinc_cert_public_txt(d), rfc26_public);
    assert_string_equal(zinc_cert_secret_txt(d), rfc26_secret);
    assert_string_equal(zinc_cert_meta(d, "name"), "copy me");
    zinc_cert_free(d);
    assert_null(zinc_cert_dup(NULL));
}

static void test_cert_wipe_zeroes_the_secret_key_and_its_text(void **state)
{
    (void)state;
    zinc_cert_t *c = rfc26_cert(true);
    const uint8_t *sec = zinc_cert_secret_key(c);
    const char *txt = zinc_cert_secret_txt(c);
    assert_non_null(sec);
    assert_string_equal(txt, rfc26_secret);
    static const uint8_t zero[41];
    zi_cert_wipe(c); /* what zinc_cert_free does before freeing */
    assert_memory_equal(sec, zero, 32);
    assert_memory_equal(txt, zero, 41);
    assert_null(zinc_cert_secret_key(c));
    assert_null(zinc_cert_secret_txt(c));
    assert_string_equal(zinc_cert_public_txt(c), rfc26_public);
    zinc_cert_free(c);
}

/* ---- files ------------------------------------------------------------------------------- */

static void test_cert_save_then_load_gives_the_same_keys_and_metadata(void **state)
{
    (void)state;
    scratch_make();
    char path[300], spath[300];
    scratch_path(path, sizeof path, "round.key");
    scratch_path(spath, sizeof spath, "round.key_secret");
    zinc_cert_t *c = zinc_cert_new();
    assert_int_equal(zinc_cert_set_meta(c, "name", "Round Trip"), 0);
    assert_int_equal(zinc_cert_set_meta(c, "quote", "say \"hi\""), 0);
    assert_int_equal(zinc_cert_set_meta(c, "apos", "it's # not a comment"), 0);
    assert_int_equal(zinc_cert_set_meta(c, "empty", ""), 0);
    assert_int_equal(zinc_cert_set_meta(c, "spaces", "  both ends  "), 0);
    assert_int_equal(zinc_cert_save(c, path), 0);

    zinc_cert_t *back = zinc_cert_load(path);
    assert_non_null(back);
    assert_memory_equal(zinc_cert_public_key(back), zinc_cert_public_key(c), 32);
    assert_non_null(zinc_cert_secret_key(back));
    assert_memory_equal(zinc_cert_secret_key(back), zinc_cert_secret_key(c), 32);
    assert_int_equal(zinc_cert_meta_count(back), 5);
    for (size_t i = 0; i < zinc_cert_meta_count(c); i++) {
        const char *n = zinc_cert_meta_name(c, i);
        assert_string_equal(zinc_cert_meta_name(back, i), n);
        assert_string_equal(zinc_cert_meta(back, n), zinc_cert_meta(c, n));
    }
    zinc_cert_free(back);

    /* the public file alone: the same public key and metadata, no secret */
    assert_int_equal(unlink(spath), 0);
    back = zinc_cert_load(path);
    assert_non_null(back);
    assert_memory_equal(zinc_cert_public_key(back), zinc_cert_public_key(c), 32);
    assert_null(zinc_cert_secret_key(back));
    assert_string_equal(zinc_cert_meta(back, "quote"), "say \"hi\"");
    zinc_cert_free(back);

    /* the secret file named directly */
    assert_int_equal(zinc_cert_save_secret(c, spath), 0);
    back = zinc_cert_load(spath);
    assert_non_null(back);
    assert_memory_equal(zinc_cert_secret_key(back), zinc_cert_secret_key(c), 32);
    zinc_cert_free(back);
    zinc_cert_free(c);
    scratch_remove();
}

static void test_cert_secret_file_is_0600_and_public_file_0644_whatever_the_umask(void **state)
{
    (void)state;
    scratch_make();
    char path[300], spath[300];
    scratch_path(path, sizeof path, "mode.key");
    scratch_path(spath, sizeof spath, "mode.key_secret");
    /* an old secret file readable by everyone is replaced, not reused */
    write_file(spath, "old", 3);
    assert_int_equal(chmod(spath, 0666), 0);
    mode_t old = umask(0);
    zinc_cert_t *c = zinc_cert_new();
    assert_int_equal(zinc_cert_save(c, path), 0);
    umask(old);
    assert_int_equal(file_mode(spath), 0600);
    assert_int_equal(file_mode(path), 0644);
    /* no temporary file is left beside them */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 2", scratch);
    assert_int_equal(system(cmd), 0);
    zinc_cert_free(c);
    scratch_remove();
}

static void test_cert_save_without_a_secret_writes_nothing(void **state)
{
    (void)state;
    scratch_make();
    char path[300];
    scratch_path(path, sizeof path, "pub.key");
    zinc_cert_t *c = rfc26_cert(false);
    errno = 0;
    assert_int_equal(zinc_cert_save(c, path), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(zinc_cert_save_secret(c, path), -1);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(zinc_cert_save_public(c, path), 0);
    assert_int_equal(file_mode(path), 0644);
    assert_int_equal(zinc_cert_save(NULL, path), -1);
    assert_int_equal(zinc_cert_save(c, NULL), -1);
    /* a directory that does not exist */
    char missing[300];
    scratch_path(missing, sizeof missing, "no/such/dir.key");
    errno = 0;
    assert_int_equal(zinc_cert_save_public(c, missing), -1);
    assert_int_equal(errno, ENOENT);
    zinc_cert_free(c);
    scratch_remove();
}

static void test_cert_written_text_has_the_czmq_layout(void **state)
{
    (void)state;
    zinc_cert_t *c = rfc26_cert(true);
    assert_int_equal(zinc_cert_set_meta(c, "name", "Layout"), 0);
    size_t len;
    char *text = zi_cert_format(c, true, "2026-12-02 07:00:00 UTC", &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    assert_int_equal(text[0], '#');
    assert_non_null(strstr(text, "2026-12-02 07:00:00 UTC"));
    char want[300];
    snprintf(want, sizeof want,
             "\nmetadata\n    name = \"Layout\"\ncurve\n    public-key = \"%s\"\n"
             "    secret-key = \"%s\"\n",
             rfc26_public, rfc26_secret);
    assert_non_null(strstr(text, want));
    assert_int_equal(strcmp(text + len - strlen(want), want), 0);
    zi_cert_text_free(text, len);
    text = zi_cert_format(c, false, NULL, &len);
    assert_non_null(text);
    assert_null(strstr(text, "secret-key"));
    assert_null(strstr(text, rfc26_secret));
    zi_cert_text_free(text, len);
    zinc_cert_free(c);
}

/* The files CZMQ's zcert_save writes (zconfig: quoted values). */
static void test_cert_reads_czmq_shaped_files(void **state)
{
    (void)state;
    scratch_make();
    char path[300], spath[300], text[1024];
    scratch_path(path, sizeof path, "czmq.txt");
    scratch_path(spath, sizeof spath, "czmq.txt_secret");
    int n = snprintf(text, sizeof text,
                     "#   ****  Generated on 2026-12-02 07:00:00 by CZMQ  ****\n"
                     "#   ZeroMQ CURVE Public Certificate\n"
                     "#   comment\n"
                     "\n"
                     "metadata\n"
                     "    email = \"ph@imatix.com\"\n"
                     "    name = \"Pieter Hintjens\"\n"
                     "    version = \"1\"\n"
                     "curve\n"
                     "    public-key = \"%s\"\n",
                     rfc26_public);
    write_file(path, text, (size_t)n);
    n = snprintf(text, sizeof text,
                 "#   ****  Generated on 2026-12-02 07:00:00 by CZMQ  ****\n"
                 "#   ZeroMQ CURVE **Secret** Certificate\n"
                 "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n"
                 "\n"
                 "metadata\n"
                 "    email = \"ph@imatix.com\"\n"
                 "    name = \"Pieter Hintjens\"\n"
                 "    version = \"1\"\n"
                 "curve\n"
                 "    public-key = \"%s\"\n"
                 "    secret-key = \"%s\"\n",
                 rfc26_public, rfc26_secret);
    write_file(spath, text, (size_t)n);
    zinc_cert_t *c = zinc_cert_load(path);
    assert_non_null(c);
    assert_string_equal(zinc_cert_public_txt(c), rfc26_public);
    assert_string_equal(zinc_cert_secret_txt(c), rfc26_secret);
    assert_int_equal(zinc_cert_meta_count(c), 3);
    assert_string_equal(zinc_cert_meta(c, "name"), "Pieter Hintjens");
    assert_string_equal(zinc_cert_meta(c, "email"), "ph@imatix.com");
    assert_string_equal(zinc_cert_meta(c, "version"), "1");
    zinc_cert_free(c);
    scratch_remove();
}

/* The files pyzmq's zmq.auth.create_certificates writes: bare metadata
 * values, metadata only in the secret file, an empty metadata section in the
 * public one. */
static void test_cert_reads_pyzmq_shaped_files_and_takes_metadata_from_the_secret_one(void **state)
{
    (void)state;
    scratch_make();
    char path[300], spath[300], text[1024];
    scratch_path(path, sizeof path, "py.key");
    scratch_path(spath, sizeof spath, "py.key_secret");
    int n = snprintf(text, sizeof text,
                     "#   ****  Generated on 2026-12-02 07:00:00.123456 by pyzmq  ****\n"
                     "#   ZeroMQ CURVE Public Certificate\n"
                     "\n"
                     "metadata\n"
                     "curve\n"
                     "    public-key = \"%s\"\n",
                     rfc26_public);
    write_file(path, text, (size_t)n);
    n = snprintf(text, sizeof text,
                 "#   ****  Generated on 2026-12-02 07:00:00.123456 by pyzmq  ****\n"
                 "#   ZeroMQ CURVE **Secret** Certificate\n"
                 "\n"
                 "metadata\n"
                 "    name = Py Thon\n"
                 "    email = py@example.org   \n"
                 "curve\n"
                 "    public-key = \"%s\"\n"
                 "    secret-key = \"%s\"\n",
                 rfc26_public, rfc26_secret);
    write_file(spath, text, (size_t)n);
    zinc_cert_t *c = zinc_cert_load(path);
    assert_non_null(c);
    assert_string_equal(zinc_cert_secret_txt(c), rfc26_secret);
    assert_string_equal(zinc_cert_meta(c, "name"), "Py Thon");
    assert_string_equal(zinc_cert_meta(c, "email"), "py@example.org");
    zinc_cert_free(c);
    scratch_remove();
}

static void test_cert_parser_tolerates_crlf_cr_blanks_comments_bom_and_no_metadata(void **state)
{
    (void)state;
    char text[512];
    const char *shapes[] = {
        "curve\r\n    public-key = \"{P}\"\r\n    secret-key = \"{S}\"\r\n",
        "curve\r    public-key = \"{P}\"\r    secret-key = \"{S}\"",
        "\xef\xbb\xbf# bom\ncurve  \n    public-key='{P}'  # trailing comment\n"
        "\n   \n\t\n    # indented comment\n    secret-key   =   \"{S}\"\t \n",
        "metadata\ncurve\n    public-key = {P}\n    secret-key = {S}\n",
        "other\n    x = 1\n        child = 2\ncurve\n    unknown = y\n"
        "    public-key = \"{P}\"\n        grandchild\n    secret-key = \"{S}\"\nlast\n",
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        size_t n = expand(text, sizeof text, shapes[i]);
        zinc_cert_t *c = parse_guarded(text, n);
        if (!c)
            fail_msg("shape %zu refused: %s", i, zinc_last_error_detail());
        assert_string_equal(zinc_cert_public_txt(c), rfc26_public);
        assert_string_equal(zinc_cert_secret_txt(c), rfc26_secret);
        zinc_cert_free(c);
    }
    /* a public certificate with an empty secret-key */
    snprintf(text, sizeof text, "curve\n    public-key = \"%s\"\n    secret-key = \"\"\n",
             rfc26_public);
    zinc_cert_t *c = parse_str(text);
    assert_non_null(c);
    assert_null(zinc_cert_secret_key(c));
    zinc_cert_free(c);
}

static void test_cert_parser_reads_rfc4_values_quoted_and_bare(void **state)
{
    (void)state;
    char text[1024];
    snprintf(text, sizeof text,
             "metadata\n"
             "    a = \"quoted # kept\"   # comment\n"
             "    b = 'single \"inner\"'\n"
             "    c = bare value   # comment\n"
             "    d = \"unclosed\n"
             "    e = \"closed\" then more\n"
             "    f\n"
             "    g =\n"
             "    h=tight\n"
             "curve\n    public-key = \"%s\"\n",
             rfc26_public);
    zinc_cert_t *c = parse_str(text);
    if (!c)
        fail_msg("refused: %s", zinc_last_error_detail());
    assert_string_equal(zinc_cert_meta(c, "a"), "quoted # kept");
    assert_string_equal(zinc_cert_meta(c, "b"), "single \"inner\"");
    assert_string_equal(zinc_cert_meta(c, "c"), "bare value");
    assert_string_equal(zinc_cert_meta(c, "d"), "\"unclosed");
    assert_string_equal(zinc_cert_meta(c, "e"), "\"closed\" then more");
    assert_string_equal(zinc_cert_meta(c, "f"), "");
    assert_string_equal(zinc_cert_meta(c, "g"), "");
    assert_string_equal(zinc_cert_meta(c, "h"), "tight");
    assert_int_equal(zinc_cert_meta_count(c), 8);
    /* what was read can be written and read back unchanged */
    size_t len;
    char *again = zi_cert_format(c, false, "now", &len);
    assert_non_null(again);
    zinc_cert_t *d = parse_guarded(again, len);
    assert_non_null(d);
    for (size_t i = 0; i < zinc_cert_meta_count(c); i++) {
        const char *n = zinc_cert_meta_name(c, i);
        assert_string_equal(zinc_cert_meta(d, n), zinc_cert_meta(c, n));
    }
    zi_cert_text_free(again, len);
    zinc_cert_free(d);
    zinc_cert_free(c);
}

static void test_cert_parser_refuses_each_malformed_text_with_einval(void **state)
{
    (void)state;
    /* {P}: the RFC 26 public key, {S} its secret, {O} another secret */
    static const char *const bad[] = {
        "",
        "# only comments\n\n",
        "metadata\n    name = \"x\"\n",                                /* no curve */
        "curve\n",                                                     /* no public-key */
        "curve\n    secret-key = \"{S}\"\n",                           /* no public-key */
        "curve\n    public-key = \"{P}\"\n    public-key = \"{P}\"\n", /* twice */
        "curve\n    public-key = \"{P}\"\n    secret-key = \"{S}\"\n    secret-key = \"{S}\"\n",
        "curve\n    public-key = \"{P}\"\n    secret-key = \"{O}\"\n", /* not its secret */
        "curve\n    public-key = \"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\"\n",  /* 39 */
        "curve\n    public-key = \"{P}x\"\n",                                     /* 41 */
        "curve\n    public-key = \"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf~\"\n", /* ~ */
        "curve\n    public-key = \"%%%%%Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\"\n",      /* >2^32 */
        "curve\n    public-key\n",
        "curve\n    public-key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/#@{H8]yf7\n", /* cut at # */
        "curve\n    secret-key = \"short\"\n    public-key = \"{P}\"\n",
        "curve\n  public-key = \"{P}\"\n",           /* 2 spaces */
        "curve\n\tpublic-key = \"{P}\"\n",           /* a tab */
        "curve\n  \tpublic-key = \"{P}\"\n",         /* spaces, a tab */
        "curve\n        public-key = \"{P}\"\n",     /* two levels at once */
        "    curve\n    public-key = \"{P}\"\n",     /* first line indented */
        "curve\n    public-key \"{P}\"\n",           /* no '=' */
        "curve\n    = \"{P}\"\n",                    /* no name */
        "curve\n    \"public-key\" = \"{P}\"\n",     /* quoted name */
        "cur ve\n    public-key = \"{P}\"\n",        /* space in a section name */
        "curve\n    public-key = \"{P}\"\x01\n",     /* control character */
        "curve\n    public-key = \"{P}\"\n# \x7f\n", /* DEL in a comment */
        "metadata\n    n\xc3\xa4me = x\ncurve\n    public-key = \"{P}\"\n", /* non-ASCII name */
        "metadata\n    name = \"\xff\"\ncurve\n    public-key = \"{P}\"\n", /* not UTF-8 */
        "metadata\n    name = a\n    name = b\ncurve\n    public-key = \"{P}\"\n", /* twice */
        "metadata\n    name = '\"both\" and '\"\ncurve\n    public-key = \"{P}\"\n",
    };
    char text[1024];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = expand(text, sizeof text, bad[i]);
        errno = 0;
        zinc_cert_t *c = parse_guarded(text, n);
        if (c)
            fail_msg("malformed text %zu was accepted:\n%s", i, text);
        assert_int_equal(errno, EINVAL);
        assert_true(strncmp(zinc_last_error_detail(), "certificate", 11) == 0);
    }
    /* a NUL inside the text is a control character, not an end */
    int n = snprintf(text, sizeof text, "curve\n    public-key = \"%s\"\n", rfc26_public);
    text[7] = '\0';
    assert_null(parse_guarded(text, (size_t)n));
    assert_int_equal(errno, EINVAL);
    assert_null(zinc_cert_from_text(NULL, 5));
    assert_int_equal(errno, EINVAL);
}

static void test_cert_parser_names_the_line_of_a_fault(void **state)
{
    (void)state;
    zinc_cert_t *c = parse_str("# one\r\n# two\r\ncurve\r\n  public-key = x\r\n");
    assert_null(c);
    assert_non_null(strstr(zinc_last_error_detail(), "certificate:4:"));
}

static void test_cert_parser_refuses_more_than_256_entries_and_64_kib(void **state)
{
    (void)state;
    size_t cap = ZINC_CERT_FILE_MAX + 4096;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, "metadata\n");
    for (int i = 0; i < 257; i++)
        n += (size_t)snprintf(text + n, cap - n, "    k%d = v\n", i);
    n += (size_t)snprintf(text + n, cap - n, "curve\n    public-key = \"%s\"\n", rfc26_public);
    errno = 0;
    assert_null(parse_guarded(text, n));
    assert_int_equal(errno, EINVAL);
    /* 64 KiB of comments plus a good certificate: too large */
    memset(text, '#', cap);
    for (size_t i = 79; i < ZINC_CERT_FILE_MAX; i += 80)
        text[i] = '\n';
    n = ZINC_CERT_FILE_MAX - 64;
    text[n - 1] = '\n';
    n += (size_t)snprintf(text + n, cap - n, "curve\n    public-key = \"%s\"\n", rfc26_public);
    assert_true(n > ZINC_CERT_FILE_MAX);
    errno = 0;
    assert_null(parse_guarded(text, n));
    assert_int_equal(errno, EINVAL);
    /* the same, cut to fit: accepted */
    size_t cut = n - ZINC_CERT_FILE_MAX;
    zinc_cert_t *c = parse_guarded(text + cut + 80 - cut % 80, n - cut - 80 + cut % 80);
    assert_non_null(c);
    zinc_cert_free(c);
    free(text);
}

/* Every prefix of a good secret certificate: parsed or refused, never read
 * past its end (each prefix against a guard page). */
static void test_cert_parser_survives_every_truncation(void **state)
{
    (void)state;
    zinc_cert_t *c = rfc26_cert(true);
    assert_int_equal(zinc_cert_set_meta(c, "name", "Cut Me"), 0);
    size_t len;
    char *text = zi_cert_format(c, true, "t", &len);
    assert_non_null(text);
    size_t accepted = 0;
    for (size_t k = 0; k <= len; k++) {
        zinc_cert_t *p = parse_guarded(text, k);
        if (p) {
            accepted++;
            assert_string_equal(zinc_cert_public_txt(p), rfc26_public);
            zinc_cert_free(p);
        } else {
            assert_int_equal(errno, EINVAL);
        }
    }
    /* the whole text, and the cuts inside the last line's closing part */
    assert_true(accepted >= 1);
    zinc_cert_t *whole = parse_guarded(text, len);
    assert_non_null(whole);
    assert_string_equal(zinc_cert_secret_txt(whole), rfc26_secret);
    zinc_cert_free(whole);
    zi_cert_text_free(text, len);
    zinc_cert_free(c);
}

static void test_cert_load_refuses_missing_odd_and_oversized_files(void **state)
{
    (void)state;
    scratch_make();
    char path[300];
    scratch_path(path, sizeof path, "absent.key");
    errno = 0;
    assert_null(zinc_cert_load(path));
    assert_int_equal(errno, ENOENT);
    assert_null(zinc_cert_load(NULL));
    assert_int_equal(errno, EINVAL);
    /* a directory */
    errno = 0;
    assert_null(zinc_cert_load(scratch));
    assert_int_equal(errno, EINVAL);
    /* a FIFO: refused at once, no hang on open */
    scratch_path(path, sizeof path, "fifo.key");
    assert_int_equal(mkfifo(path, 0600), 0);
    errno = 0;
    assert_null(zinc_cert_load(path));
    assert_int_equal(errno, EINVAL);
    /* larger than ZINC_CERT_FILE_MAX */
    scratch_path(path, sizeof path, "big.key");
    char *big = malloc(ZINC_CERT_FILE_MAX + 1);
    assert_non_null(big);
    memset(big, '#', ZINC_CERT_FILE_MAX + 1);
    write_file(path, big, ZINC_CERT_FILE_MAX + 1);
    free(big);
    errno = 0;
    assert_null(zinc_cert_load(path));
    assert_int_equal(errno, EINVAL);
    /* malformed: the detail names the file and line */
    scratch_path(path, sizeof path, "bad.key");
    write_file(path, "curve\n public-key = x\n", 22);
    errno = 0;
    assert_null(zinc_cert_load(path));
    assert_int_equal(errno, EINVAL);
    assert_non_null(strstr(zinc_last_error_detail(), "bad.key:2:"));
    scratch_remove();
}

static void test_cert_load_refuses_a_secret_file_that_disagrees(void **state)
{
    (void)state;
    scratch_make();
    char path[300], spath[300], text[512];
    scratch_path(path, sizeof path, "pair.key");
    scratch_path(spath, sizeof spath, "pair.key_secret");
    zinc_cert_t *c = rfc26_cert(false);
    assert_int_equal(zinc_cert_save_public(c, path), 0);
    zinc_cert_free(c);
    /* the secret file of another key pair */
    zinc_cert_t *other = zinc_cert_new();
    assert_int_equal(zinc_cert_save_secret(other, spath), 0);
    zinc_cert_free(other);
    errno = 0;
    assert_null(zinc_cert_load(path));
    assert_int_equal(errno, EINVAL);
    /* a "secret" file without a secret-key */
    int n = snprintf(text, sizeof text, "curve\n    public-key = \"%s\"\n", rfc26_public);
    write_file(spath, text, (size_t)n);
    errno = 0;
    assert_null(zinc_cert_load(path));
    assert_int_equal(errno, EINVAL);
    /* a malformed secret file */
    write_file(spath, "curve\n", 6);
    assert_null(zinc_cert_load(path));
    assert_int_equal(errno, EINVAL);
    /* a secret file we may not read: the public certificate alone */
    if (geteuid() != 0) {
        n = snprintf(text, sizeof text, "curve\n    public-key = \"%s\"\n    secret-key = \"%s\"\n",
                     rfc26_public, rfc26_secret);
        write_file(spath, text, (size_t)n);
        assert_int_equal(chmod(spath, 0), 0);
        zinc_cert_t *pub = zinc_cert_load(path);
        assert_non_null(pub);
        assert_null(zinc_cert_secret_key(pub));
        zinc_cert_free(pub);
    }
    scratch_remove();
}

static void test_cert_apply_sets_the_socket_curve_keys(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = zinc_socket_new(ctx, ZINC_DEALER);
    assert_non_null(s);
    zinc_cert_t *c = rfc26_cert(true);
    assert_int_equal(zinc_cert_apply(c, s), 0);
    uint8_t key[32];
    size_t len = sizeof key;
    assert_int_equal(zinc_get_bytes(s, "curve_publickey", key, &len), 0);
    assert_int_equal(len, 32);
    assert_memory_equal(key, zinc_cert_public_key(c), 32);
    len = sizeof key;
    if (zinc_get_bytes(s, "curve_secretkey", key, &len) == 0) {
        assert_int_equal(len, 32);
        assert_memory_equal(key, zinc_cert_secret_key(c), 32);
    }
    zinc_cert_t *pub = rfc26_cert(false);
    errno = 0;
    assert_int_equal(zinc_cert_apply(pub, s), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_cert_apply(NULL, s), -1);
    assert_int_equal(zinc_cert_apply(c, NULL), -1);
    zinc_cert_free(pub);
    zinc_cert_free(c);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

/* ---- pyzmq (libzmq 4.3.4) -------------------------------------------------------------- */

/* Runs a python script (no single quotes) with args; returns its stdout's
 * first line in out and asserts it exited 0. */
static void py_run(const char *script, const char *args, char *out, size_t cap)
{
    char cmd[4096];
    int n = snprintf(cmd, sizeof cmd, "timeout 30 %s -c '%s' %s", zt_pysec_python(), script, args);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    out[0] = '\0';
    if (!fgets(out, (int)cap, f))
        out[0] = '\0';
    char rest[256];
    while (fgets(rest, sizeof rest, f))
        ;
    int st = pclose(f);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    out[strcspn(out, "\n")] = '\0';
}

static void test_cert_files_written_by_zinc_load_in_pyzmq(void **state)
{
    (void)state;
    if (!zt_pysec_available())
        skip();
    scratch_make();
    char path[300], spath[300], args[700], out[512], want[512];
    scratch_path(path, sizeof path, "zinc.key");
    scratch_path(spath, sizeof spath, "zinc.key_secret");
    zinc_cert_t *c = zinc_cert_new();
    assert_int_equal(zinc_cert_set_meta(c, "name", "zinc peer"), 0);
    assert_int_equal(zinc_cert_save(c, path), 0);
    /* pyzmq reads keys only (no metadata); it checks the pair with
     * libzmq's zmq_curve_public too */
    static const char script[] = "import sys, zmq, zmq.auth\n"
                                 "p, s = zmq.auth.load_certificate(sys.argv[2])\n"
                                 "q, n = zmq.auth.load_certificate(sys.argv[1])\n"
                                 "assert q == p and n is None, (q, n)\n"
                                 "assert zmq.curve_public(s) == p\n"
                                 "print(p.decode(), s.decode())\n";
    snprintf(args, sizeof args, "'%s' '%s'", path, spath);
    py_run(script, args, out, sizeof out);
    snprintf(want, sizeof want, "%s %s", zinc_cert_public_txt(c), zinc_cert_secret_txt(c));
    assert_string_equal(out, want);
    zinc_cert_free(c);
    scratch_remove();
}

static void test_cert_files_written_by_pyzmq_load_in_zinc(void **state)
{
    (void)state;
    if (!zt_pysec_available())
        skip();
    scratch_make();
    char args[700], out[512], path[300];
    static const char script[] =
        "import sys, zmq, zmq.auth\n"
        "pf, sf = zmq.auth.create_certificates(sys.argv[1], \"py\", "
        "metadata={\"name\": \"Py Thon\", \"email\": \"py@example.org\"})\n"
        "p, s = zmq.auth.load_certificate(sf)\n"
        "print(p.decode(), s.decode())\n";
    snprintf(args, sizeof args, "'%s'", scratch);
    py_run(script, args, out, sizeof out);
    assert_int_equal(strlen(out), 81);
    out[40] = '\0';
    scratch_path(path, sizeof path, "py.key");
    zinc_cert_t *c = zinc_cert_load(path);
    if (!c)
        fail_msg("pyzmq's certificate refused: %s", zinc_last_error_detail());
    assert_string_equal(zinc_cert_public_txt(c), out);
    assert_non_null(zinc_cert_secret_txt(c));
    assert_string_equal(zinc_cert_secret_txt(c), out + 41);
    assert_string_equal(zinc_cert_meta(c, "name"), "Py Thon");
    assert_string_equal(zinc_cert_meta(c, "email"), "py@example.org");
    zinc_cert_free(c);
    scratch_remove();
}

static void test_curve_public_matches_pyzmq_for_the_same_secret(void **state)
{
    (void)state;
    if (!zt_pysec_available())
        skip();
    char pub[41], sec[41], mine[41], args[128], out[128];
    assert_int_equal(zinc_curve_keypair(pub, sec), 0);
    assert_int_equal(zinc_curve_public(mine, sec), 0);
    snprintf(args, sizeof args, "'%s'", sec);
    py_run("import sys, zmq\nprint(zmq.curve_public(sys.argv[1].encode()).decode())\n", args, out,
           sizeof out);
    assert_string_equal(out, mine);
    assert_string_equal(out, pub);
}

/* zinc_curve_keypair's server keys in a libzmq CURVE server (pyzmq's
 * authenticator on, so the client's key must arrive as its User-Id), and a
 * zinc client whose keys come from a zinc_cert_new certificate applied with
 * zinc_cert_apply. */
static void test_curve_keypair_and_cert_keys_make_a_curve_connection_with_libzmq(void **state)
{
    (void)state;
    if (!zt_pysec_available())
        skip();
    char spub[41], ssec[41], args[512], ep[256];
    assert_int_equal(zinc_curve_keypair(spub, ssec), 0);
    zinc_cert_t *client = zinc_cert_new();
    snprintf(args, sizeof args, "server curve auth '%s' '%s' '%s' expect", spub, ssec,
             zinc_cert_public_txt(client));
    FILE *py = zt_pysec_start(args);
    zt_pysec_endpoint(py, ep, sizeof ep);
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_cert_apply(client, s), 0);
    assert_int_equal(zinc_set(s, "curve_serverkey", spub), 0);
    zt_connect(s, ep);
    zt_pysec_send(s);
    zt_pysec_recv(s, NULL, NULL);
    zt_pysec_finish(py);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
    zinc_cert_free(client);
}

/* The other way: a zinc CURVE server whose keys come from a certificate,
 * and a libzmq client whose keys come from zinc_curve_keypair. */
static void test_cert_server_keys_and_keypair_client_keys_work_with_a_libzmq_client(void **state)
{
    (void)state;
    if (!zt_pysec_available())
        skip();
    zinc_cert_t *server = zinc_cert_new();
    char cpub[41], csec[41], args[512], ep[256];
    assert_int_equal(zinc_curve_keypair(cpub, csec), 0);
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_set(s, "curve_server", "1"), 0);
    assert_int_equal(zinc_cert_apply(server, s), 0);
    zt_bind(s, ZT_TCP, ep, sizeof ep);
    snprintf(args, sizeof args, "client curve '%s' '%s' '%s' '%s' expect", ep,
             zinc_cert_public_txt(server), cpub, csec);
    FILE *py = zt_pysec_start(args);
    uint8_t id[255];
    size_t id_len;
    zt_pysec_recv(s, id, &id_len);
    zt_send(s, id, id_len, ZINC_MORE);
    zt_pysec_send(s);
    zt_pysec_finish(py);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
    zinc_cert_free(server);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curve_keypair_makes_40_char_z85_keys_that_belong_together),
        cmocka_unit_test(test_curve_public_of_the_rfc26_secrets_is_the_rfc26_public_keys),
        cmocka_unit_test(test_curve_keypair_and_public_refuse_null_and_bad_secrets),
        cmocka_unit_test(test_cert_new_has_a_fresh_matching_pair_and_no_metadata),
        cmocka_unit_test(test_cert_new_from_refuses_a_secret_of_another_key),
        cmocka_unit_test(test_cert_set_meta_sets_replaces_removes_and_validates),
        cmocka_unit_test(test_cert_meta_count_is_capped_at_256),
        cmocka_unit_test(test_cert_dup_copies_keys_and_metadata),
        cmocka_unit_test(test_cert_wipe_zeroes_the_secret_key_and_its_text),
        cmocka_unit_test(test_cert_save_then_load_gives_the_same_keys_and_metadata),
        cmocka_unit_test(test_cert_secret_file_is_0600_and_public_file_0644_whatever_the_umask),
        cmocka_unit_test(test_cert_save_without_a_secret_writes_nothing),
        cmocka_unit_test(test_cert_written_text_has_the_czmq_layout),
        cmocka_unit_test(test_cert_reads_czmq_shaped_files),
        cmocka_unit_test(test_cert_reads_pyzmq_shaped_files_and_takes_metadata_from_the_secret_one),
        cmocka_unit_test(test_cert_parser_tolerates_crlf_cr_blanks_comments_bom_and_no_metadata),
        cmocka_unit_test(test_cert_parser_reads_rfc4_values_quoted_and_bare),
        cmocka_unit_test(test_cert_parser_refuses_each_malformed_text_with_einval),
        cmocka_unit_test(test_cert_parser_names_the_line_of_a_fault),
        cmocka_unit_test(test_cert_parser_refuses_more_than_256_entries_and_64_kib),
        cmocka_unit_test(test_cert_parser_survives_every_truncation),
        cmocka_unit_test(test_cert_load_refuses_missing_odd_and_oversized_files),
        cmocka_unit_test(test_cert_load_refuses_a_secret_file_that_disagrees),
        cmocka_unit_test(test_cert_apply_sets_the_socket_curve_keys),
        cmocka_unit_test(test_cert_files_written_by_zinc_load_in_pyzmq),
        cmocka_unit_test(test_cert_files_written_by_pyzmq_load_in_zinc),
        cmocka_unit_test(test_curve_public_matches_pyzmq_for_the_same_secret),
        cmocka_unit_test(test_curve_keypair_and_cert_keys_make_a_curve_connection_with_libzmq),
        cmocka_unit_test(test_cert_server_keys_and_keypair_client_keys_work_with_a_libzmq_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
