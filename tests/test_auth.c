/* The authenticator (src/ext/auth.c) and ZAP delivery (src/core/zap_client.c):
 * its decisions, asked directly over inproc://zeromq.zap.01 the way a
 * session asks; then whole handshakes over tcp between zinc sockets, with
 * handlers that misbehave; then libzmq (pyzmq) clients against zinc servers
 * guarded by zinc's authenticator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sodium.h>

#include "pysec.h"
#include "sockutil.h"
#include "zinc.h"

#define ZAP_EP "inproc://zeromq.zap.01"

/* ---- asking the authenticator directly --------------------------------------- */

typedef struct {
    char status[8];
    char text[128];
    char user_id[128];
} zap_answer_t;

/* Sends one request (version "1.0", id "7") from a REQ and reads the reply. */
static void zap_ask_n(zinc_ctx_t *ctx, const char *domain, const char *address, const char *mech,
                      const void *const *cred, const size_t *cred_len, size_t ncred,
                      zap_answer_t *out)
{
    zinc_socket_t *req = zt_sock(ctx, ZINC_REQ);
    zt_connect(req, ZAP_EP);
    const char *head[6] = {"1.0", "7", domain, address, "", mech};
    for (size_t i = 0; i < 6; i++)
        zt_send_str(req, head[i], i + 1 < 6 || ncred ? ZINC_MORE : 0);
    for (size_t i = 0; i < ncred; i++)
        zt_send(req, cred[i], cred_len[i], i + 1 < ncred ? ZINC_MORE : 0);
    char buf[6][128];
    int n[6];
    for (int i = 0; i < 6; i++) {
        n[i] = zinc_recv(req, buf[i], sizeof buf[i] - 1, 0);
        assert_true(n[i] >= 0 && n[i] < (int)sizeof buf[i]);
        buf[i][n[i]] = '\0';
        assert_int_equal(zt_rcvmore(req), i < 5);
    }
    assert_string_equal(buf[0], "1.0");
    assert_string_equal(buf[1], "7");
    assert_true(n[2] < (int)sizeof out->status);
    memcpy(out->status, buf[2], (size_t)n[2] + 1);
    memcpy(out->text, buf[3], (size_t)n[3] + 1);
    memcpy(out->user_id, buf[4], (size_t)n[4] + 1);
    assert_int_equal(n[5], 0); /* no metadata */
    zinc_socket_close(req);
}

static void zap_ask_plain(zinc_ctx_t *ctx, const char *domain, const char *address,
                          const char *user, const char *pass, zap_answer_t *out)
{
    const void *cred[2] = {user, pass};
    const size_t len[2] = {strlen(user), strlen(pass)};
    zap_ask_n(ctx, domain, address, "PLAIN", cred, len, 2, out);
}

static void zap_ask_curve(zinc_ctx_t *ctx, const char *domain, const uint8_t key[32],
                          zap_answer_t *out)
{
    const void *cred[1] = {key};
    const size_t len[1] = {32};
    zap_ask_n(ctx, domain, "127.0.0.1", "CURVE", cred, len, 1, out);
}

static void zap_ask_null(zinc_ctx_t *ctx, const char *address, zap_answer_t *out)
{
    zap_ask_n(ctx, "", address, "NULL", NULL, NULL, 0, out);
}

typedef struct {
    zinc_ctx_t *ctx;
    zinc_auth_t *auth;
} fixture_t;

static int fixture_up(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->ctx = zinc_ctx_new();
    f->auth = zinc_auth_new(f->ctx);
    if (!f->ctx || !f->auth)
        return -1;
    *state = f;
    return 0;
}

static int fixture_down(void **state)
{
    fixture_t *f = *state;
    zinc_auth_free(f->auth);
    zinc_ctx_term(f->ctx);
    free(f);
    return 0;
}

static void test_auth_plain_allows_the_right_password_with_the_user_as_user_id(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(zinc_auth_plain_set(f->auth, "*", "admin", "secret"), 0);
    zap_answer_t a;
    zap_ask_plain(f->ctx, "", "127.0.0.1", "admin", "secret", &a);
    assert_string_equal(a.status, "200");
    assert_string_equal(a.user_id, "admin");
}

static void test_auth_plain_denies_a_wrong_password_or_user_with_400(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(zinc_auth_plain_set(f->auth, NULL, "admin", "secret"), 0);
    zap_answer_t a;
    zap_ask_plain(f->ctx, "", "127.0.0.1", "admin", "secreT", &a);
    assert_string_equal(a.status, "400");
    assert_string_equal(a.text, "invalid password");
    assert_string_equal(a.user_id, "");
    zap_ask_plain(f->ctx, "", "127.0.0.1", "root", "secret", &a);
    assert_string_equal(a.status, "400");
    assert_string_equal(a.text, "invalid user name");
    zap_ask_plain(f->ctx, "", "127.0.0.1", "admin", "secrets", &a);
    assert_string_equal(a.status, "400");
    /* a new password replaces the old one */
    assert_int_equal(zinc_auth_plain_set(f->auth, NULL, "admin", "other"), 0);
    zap_ask_plain(f->ctx, "", "127.0.0.1", "admin", "secret", &a);
    assert_string_equal(a.status, "400");
    zap_ask_plain(f->ctx, "", "127.0.0.1", "admin", "other", &a);
    assert_string_equal(a.status, "200");
}

static void test_auth_domain_configuration_wins_over_star(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(zinc_auth_plain_set(f->auth, "*", "any", "1"), 0);
    assert_int_equal(zinc_auth_plain_set(f->auth, "global", "alice", "2"), 0);
    zap_answer_t a;
    zap_ask_plain(f->ctx, "global", "127.0.0.1", "alice", "2", &a);
    assert_string_equal(a.status, "200");
    /* "global" has its own users: the "*" ones do not apply there */
    zap_ask_plain(f->ctx, "global", "127.0.0.1", "any", "1", &a);
    assert_string_equal(a.status, "400");
    /* every other domain (and none) gets "*" */
    zap_ask_plain(f->ctx, "elsewhere", "127.0.0.1", "any", "1", &a);
    assert_string_equal(a.status, "200");
    zap_ask_plain(f->ctx, "", "127.0.0.1", "alice", "2", &a);
    assert_string_equal(a.status, "400");
}

static void test_auth_without_configuration_refuses_plain_and_curve_but_allows_null(void **state)
{
    fixture_t *f = *state;
    uint8_t key[32] = {1};
    zap_answer_t a;
    zap_ask_plain(f->ctx, "", "127.0.0.1", "admin", "secret", &a);
    assert_string_equal(a.status, "400");
    zap_ask_curve(f->ctx, "", key, &a);
    assert_string_equal(a.status, "400");
    zap_ask_null(f->ctx, "127.0.0.1", &a);
    assert_string_equal(a.status, "200");
    assert_string_equal(a.user_id, "");
}

static void test_auth_curve_any_allows_every_key_with_its_z85_as_user_id(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(zinc_auth_curve_any(f->auth, "*"), 0);
    uint8_t key[32];
    char z[41];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(i * 7 + 3);
    assert_non_null(zinc_z85_encode(z, key, 32));
    zap_answer_t a;
    zap_ask_curve(f->ctx, "", key, &a);
    assert_string_equal(a.status, "200");
    assert_string_equal(a.user_id, z);
}

static void test_auth_curve_list_allows_listed_keys_given_as_z85_or_raw(void **state)
{
    fixture_t *f = *state;
    uint8_t k1[32], k2[32], k3[32];
    char z1[41];
    memset(k1, 0x11, 32);
    memset(k2, 0x22, 32);
    memset(k3, 0x33, 32);
    assert_non_null(zinc_z85_encode(z1, k1, 32));
    assert_int_equal(zinc_auth_curve_allow(f->auth, "d", z1, 40), 0);
    assert_int_equal(zinc_auth_curve_allow(f->auth, "d", k2, 32), 0);
    zap_answer_t a;
    zap_ask_curve(f->ctx, "d", k1, &a);
    assert_string_equal(a.status, "200");
    assert_string_equal(a.user_id, z1);
    zap_ask_curve(f->ctx, "d", k2, &a);
    assert_string_equal(a.status, "200");
    zap_ask_curve(f->ctx, "d", k3, &a);
    assert_string_equal(a.status, "400");
    assert_string_equal(a.text, "key not allowed");
    /* the keys belong to "d" only */
    zap_ask_curve(f->ctx, "other", k1, &a);
    assert_string_equal(a.status, "400");
}

static void test_auth_allow_list_admits_only_its_addresses_and_still_checks_passwords(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(zinc_auth_plain_set(f->auth, "*", "admin", "secret"), 0);
    assert_int_equal(zinc_auth_allow(f->auth, "10.0.0.1"), 0);
    assert_int_equal(zinc_auth_deny(f->auth, "10.0.0.1"), 0); /* the allow list rules */
    zap_answer_t a;
    zap_ask_null(f->ctx, "10.0.0.2", &a);
    assert_string_equal(a.status, "400");
    assert_string_equal(a.text, "address not in the allow list");
    zap_ask_null(f->ctx, "10.0.0.1", &a);
    assert_string_equal(a.status, "200");
    zap_ask_plain(f->ctx, "", "10.0.0.1", "admin", "wrong", &a);
    assert_string_equal(a.status, "400");
    zap_ask_plain(f->ctx, "", "10.0.0.1", "admin", "secret", &a);
    assert_string_equal(a.status, "200");
    zap_ask_plain(f->ctx, "", "10.0.0.3", "admin", "secret", &a);
    assert_string_equal(a.status, "400");
    /* an IPv4-mapped IPv6 address is the same peer */
    zap_ask_null(f->ctx, "::ffff:10.0.0.1", &a);
    assert_string_equal(a.status, "200");
}

static void test_auth_deny_list_refuses_its_addresses_only(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(zinc_auth_curve_any(f->auth, NULL), 0);
    assert_int_equal(zinc_auth_deny(f->auth, "::1"), 0);
    assert_int_equal(zinc_auth_deny(f->auth, "192.168.1.9"), 0);
    zap_answer_t a;
    zap_ask_null(f->ctx, "::1", &a);
    assert_string_equal(a.status, "400");
    assert_string_equal(a.text, "address denied");
    zap_ask_null(f->ctx, "192.168.1.8", &a);
    assert_string_equal(a.status, "200");
    uint8_t key[32] = {9};
    zap_ask_n(f->ctx, "", "192.168.1.9", "CURVE", (const void *[]){key}, (size_t[]){32}, 1, &a);
    assert_string_equal(a.status, "400");
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

static void test_auth_plain_file_reads_user_equals_password_lines(void **state)
{
    fixture_t *f = *state;
    char path[64], bad[64];
    snprintf(path, sizeof path, "/tmp/zinc-auth-%ld.pw", (long)getpid());
    snprintf(bad, sizeof bad, "/tmp/zinc-auth-%ld.bad", (long)getpid());
    write_file(path, "# users\n\nadmin=secret\nbob=pa=ss\r\nempty=\n");
    write_file(bad, "carol=ok\nno equals sign\n");
    assert_int_equal(zinc_auth_plain_file(f->auth, "*", path), 0);
    assert_int_equal(zinc_auth_plain_file(f->auth, "*", bad), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_auth_plain_file(f->auth, "*", "/nonexistent/zinc.pw"), -1);
    assert_int_equal(errno, ENOENT);
    zap_answer_t a;
    zap_ask_plain(f->ctx, "", "127.0.0.1", "admin", "secret", &a);
    assert_string_equal(a.status, "200");
    zap_ask_plain(f->ctx, "", "127.0.0.1", "bob", "pa=ss", &a);
    assert_string_equal(a.status, "200");
    zap_ask_plain(f->ctx, "", "127.0.0.1", "empty", "", &a);
    assert_string_equal(a.status, "200");
    /* nothing of the bad file was taken */
    zap_ask_plain(f->ctx, "", "127.0.0.1", "carol", "ok", &a);
    assert_string_equal(a.status, "400");
    unlink(path);
    unlink(bad);
}

static void write_cert(const char *dir, const char *name, const char *pub)
{
    char path[512], text[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(text, sizeof text,
             "#   ****  Generated by a test  ****\n"
             "#   ZeroMQ CURVE Public Certificate\n"
             "\n"
             "metadata\n"
             "    name = \"test\"\n"
             "curve\n"
             "    public-key = \"%s\"\n",
             pub);
    write_file(path, text);
}

static void test_auth_curve_dir_allows_the_keys_of_its_public_certificates(void **state)
{
    fixture_t *f = *state;
    uint8_t k1[32], k2[32], k3[32];
    char z1[41], z2[41], z3[41], dir[64], path[128];
    memset(k1, 0x41, 32);
    memset(k2, 0x42, 32);
    memset(k3, 0x43, 32);
    assert_non_null(zinc_z85_encode(z1, k1, 32));
    assert_non_null(zinc_z85_encode(z2, k2, 32));
    assert_non_null(zinc_z85_encode(z3, k3, 32));
    snprintf(dir, sizeof dir, "/tmp/zinc-auth-certs-%ld", (long)getpid());
    assert_int_equal(mkdir(dir, 0700), 0);
    write_cert(dir, "alice.key", z1);
    write_cert(dir, "bob.key", z2);
    write_cert(dir, "carol.key_secret", z3); /* not a public certificate: ignored */
    write_cert(dir, "notes.txt", z3);
    assert_int_equal(zinc_auth_curve_dir(f->auth, "certs", dir), 0);
    zap_answer_t a;
    zap_ask_curve(f->ctx, "certs", k1, &a);
    assert_string_equal(a.status, "200");
    assert_string_equal(a.user_id, z1);
    zap_ask_curve(f->ctx, "certs", k2, &a);
    assert_string_equal(a.status, "200");
    zap_ask_curve(f->ctx, "certs", k3, &a);
    assert_string_equal(a.status, "400");
    /* a broken certificate: the call fails and takes nothing */
    snprintf(path, sizeof path, "%s/broken.key", dir);
    write_file(path, "curve\n    public-key = \"short\"\n");
    assert_int_equal(zinc_auth_curve_dir(f->auth, "other", dir), -1);
    zap_ask_curve(f->ctx, "other", k1, &a);
    assert_string_equal(a.status, "400");
    assert_int_equal(zinc_auth_curve_dir(f->auth, "x", "/nonexistent/certs"), -1);
    assert_int_equal(errno, ENOENT);
    static const char *const names[] = {"alice.key", "bob.key", "carol.key_secret", "notes.txt",
                                        "broken.key"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

typedef struct {
    char lines[8][1024];
    int n;
} log_t;

static void log_fn(void *user, const char *line)
{
    log_t *l = user;
    if (l->n < 8)
        snprintf(l->lines[l->n++], sizeof l->lines[0], "%s", line);
}

static void test_auth_log_reports_each_decision_without_the_password(void **state)
{
    fixture_t *f = *state;
    log_t l = {0};
    assert_int_equal(zinc_auth_set_log(f->auth, log_fn, &l), 0);
    assert_int_equal(zinc_auth_plain_set(f->auth, "*", "admin", "hunter2"), 0);
    zap_answer_t a;
    zap_ask_plain(f->ctx, "dom\x01", "127.0.0.1", "admin", "hunter2", &a);
    zap_ask_plain(f->ctx, "", "127.0.0.1", "admin", "hunter3", &a);
    assert_int_equal(zinc_auth_set_log(f->auth, NULL, NULL), 0);
    zap_ask_plain(f->ctx, "", "127.0.0.1", "admin", "hunter2", &a); /* silent again */
    assert_int_equal(l.n, 2);
    assert_non_null(strstr(l.lines[0], "domain=\"dom?\""));
    assert_non_null(strstr(l.lines[0], "address=127.0.0.1"));
    assert_non_null(strstr(l.lines[0], "mechanism=PLAIN"));
    assert_non_null(strstr(l.lines[0], "user=\"admin\""));
    assert_non_null(strstr(l.lines[0], "allowed"));
    assert_non_null(strstr(l.lines[1], "denied (invalid password)"));
    for (int i = 0; i < 2; i++)
        assert_null(strstr(l.lines[i], "hunter"));
}

static void test_auth_malformed_requests_get_400_or_no_answer(void **state)
{
    fixture_t *f = *state;
    zinc_socket_t *d = zt_sock(f->ctx, ZINC_DEALER);
    zt_connect(d, ZAP_EP);
    /* a wrong version: 400, naming the request */
    const char *v2[] = {"", "2.0", "9", "", "", "", "NULL"};
    zt_send_msg(d, v2, 7);
    const char *want[] = {"", "1.0", "9", "400", "malformed ZAP request", "", ""};
    zt_recv_msg(d, want, 7);
    /* too few frames with an id: 400; without a delimiter: no answer */
    const char *few[] = {"", "1.0", "8", "dom"};
    zt_send_msg(d, few, 4);
    const char *want8[] = {"", "1.0", "8", "400", "malformed ZAP request", "", ""};
    zt_recv_msg(d, want8, 7);
    const char *nodelim[] = {"x", "1.0", "7", "", "", "", "NULL"};
    zt_send_msg(d, nodelim, 7);
    /* the handler still answers after all that */
    const char *ok[] = {"", "1.0", "6", "", "127.0.0.1", "", "NULL"};
    zt_send_msg(d, ok, 7);
    const char *want6[] = {"", "1.0", "6", "200", "OK", "", ""};
    zt_recv_msg(d, want6, 7);
    zinc_socket_close(d);
}

static void test_auth_bad_arguments_fail_with_errno(void **state)
{
    fixture_t *f = *state;
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_null(zinc_auth_new(NULL));
    assert_int_equal(errno, EFAULT);
    assert_int_equal(zinc_auth_allow(f->auth, "not an address"), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_auth_deny(f->auth, NULL), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(zinc_auth_allow(NULL, "1.2.3.4"), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(zinc_auth_plain_set(f->auth, "*", "", "x"), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_auth_plain_set(f->auth, "*", big, "x"), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_auth_plain_set(f->auth, big, "u", "x"), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_auth_plain_set(f->auth, "*", "u", NULL), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(zinc_auth_curve_allow(f->auth, "*", "tooshort", 8), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(
        zinc_auth_curve_allow(f->auth, "*", "0000000000000000000000000000000000000\"~~", 40), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_auth_curve_any(NULL, "*"), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(zinc_auth_set_log(NULL, log_fn, NULL), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(zinc_auth_plain_file(f->auth, "*", NULL), -1);
    assert_int_equal(errno, EFAULT);
    zinc_auth_free(NULL);
}

static void test_auth_one_handler_per_context_and_free_releases_the_endpoint(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_auth_t *a = zinc_auth_new(ctx);
    assert_non_null(a);
    assert_null(zinc_auth_new(ctx));
    assert_int_equal(errno, EADDRINUSE);
    zinc_auth_free(a);
    a = zinc_auth_new(ctx);
    assert_non_null(a);
    zap_answer_t ans;
    zap_ask_null(ctx, "127.0.0.1", &ans);
    assert_string_equal(ans.status, "200");
    zinc_auth_free(a);
    zinc_ctx_term(ctx);
}

static void test_auth_ctx_term_while_it_runs_ends_it_then_free_joins(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_auth_t *a = zinc_auth_new(ctx);
    assert_non_null(a);
    assert_int_equal(zinc_auth_plain_set(a, "*", "u", "p"), 0);
    assert_int_equal(zinc_ctx_term(ctx), 0);                    /* the thread sees ETERM */
    assert_int_equal(zinc_auth_plain_set(a, "*", "v", "q"), 0); /* memory still ours */
    zinc_auth_free(a);
}

/* ---- whole handshakes over tcp, zinc to zinc ----------------------------------- */

static zinc_socket_t *plain_server(zinc_ctx_t *ctx, char *ep, size_t cap)
{
    zinc_socket_t *s = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_set(s, "plain_server", "1"), 0);
    zt_bind(s, ZT_TCP, ep, cap);
    return s;
}

static zinc_socket_t *plain_client(zinc_ctx_t *ctx, const char *ep, const char *user,
                                   const char *pass)
{
    zinc_socket_t *c = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set(c, "plain_username", user), 0);
    assert_int_equal(zinc_set(c, "plain_password", pass), 0);
    zt_connect(c, ep);
    return c;
}

/* The server receives [id][text] and checks the frame's User-Id. */
static void expect_from(zinc_socket_t *server, const char *text, const char *user_id)
{
    zinc_frame_t *id = zinc_recv_frame(server, 0);
    assert_non_null(id);
    assert_true(zinc_frame_more(id));
    zinc_frame_t *f = zinc_recv_frame(server, 0);
    assert_non_null(f);
    assert_int_equal(zinc_frame_size(f), strlen(text));
    assert_memory_equal(zinc_frame_data(f), text, strlen(text));
    const char *uid = zinc_frame_meta(f, "User-Id");
    if (user_id) {
        assert_non_null(uid);
        assert_string_equal(uid, user_id);
        assert_string_equal(zinc_frame_meta(id, "User-Id"), user_id);
    } else {
        assert_null(uid);
    }
    zinc_frame_unref(id);
    zinc_frame_unref(f);
}

/* Nothing arrives at s within ms. */
static void expect_nothing(zinc_socket_t *s, int ms)
{
    zinc_socket_t *socks[1] = {s};
    assert_int_equal(zt_poll_in(socks, 1, ms), -1);
}

static void
test_zap_plain_between_zinc_sockets_sets_user_id_and_refuses_wrong_passwords(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_auth_t *a = zinc_auth_new(ctx);
    assert_non_null(a);
    assert_int_equal(zinc_auth_plain_set(a, "*", "admin", "secret"), 0);
    char ep[256];
    zinc_socket_t *s = plain_server(ctx, ep, sizeof ep);
    zinc_socket_t *good = plain_client(ctx, ep, "admin", "secret");
    zinc_socket_t *bad = plain_client(ctx, ep, "admin", "guess");
    zt_send_to_refuser(bad);
    zt_send_str(good, "from good", 0);
    expect_from(s, "from good", "admin");
    expect_nothing(s, 500);
    /* both directions work on the allowed connection */
    zt_send_str(good, "again", 0);
    expect_from(s, "again", "admin");
    zinc_socket_close(bad);
    zinc_socket_close(good);
    zinc_socket_close(s);
    zinc_auth_free(a);
    zinc_ctx_term(ctx);
}

static void curve_pair(uint8_t pub[32], uint8_t sec[32], uint8_t seed)
{
    memset(sec, seed, 32);
    crypto_scalarmult_base(pub, sec);
}

static void test_zap_curve_between_zinc_sockets_allows_listed_keys_only(void **state)
{
    (void)state;
    uint8_t spub[32], ssec[32], apub[32], asec[32], bpub[32], bsec[32];
    curve_pair(spub, ssec, 1);
    curve_pair(apub, asec, 2);
    curve_pair(bpub, bsec, 3);
    char az[41];
    assert_non_null(zinc_z85_encode(az, apub, 32));
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_auth_t *a = zinc_auth_new(ctx);
    assert_non_null(a);
    assert_int_equal(zinc_auth_curve_allow(a, "*", apub, 32), 0);
    zinc_socket_t *s = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_set_bytes(s, "curve_secretkey", ssec, 32), 0);
    assert_int_equal(zinc_set_bytes(s, "curve_publickey", spub, 32), 0);
    assert_int_equal(zinc_set(s, "curve_server", "1"), 0);
    char ep[256];
    zt_bind(s, ZT_TCP, ep, sizeof ep);
    zinc_socket_t *c[2];
    for (int i = 0; i < 2; i++) {
        c[i] = zt_sock(ctx, ZINC_DEALER);
        assert_int_equal(zinc_set_bytes(c[i], "curve_serverkey", spub, 32), 0);
        assert_int_equal(zinc_set_bytes(c[i], "curve_publickey", i ? bpub : apub, 32), 0);
        assert_int_equal(zinc_set_bytes(c[i], "curve_secretkey", i ? bsec : asec, 32), 0);
        zt_connect(c[i], ep);
    }
    zt_send_to_refuser(c[1]);
    zt_send_str(c[0], "listed", 0);
    expect_from(s, "listed", az);
    expect_nothing(s, 500);
    for (int i = 0; i < 2; i++)
        zinc_socket_close(c[i]);
    zinc_socket_close(s);
    zinc_auth_free(a);
    zinc_ctx_term(ctx);
}

static void test_zap_null_server_with_a_domain_asks_the_handler(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_auth_t *a = zinc_auth_new(ctx);
    assert_non_null(a);
    assert_int_equal(zinc_auth_deny(a, "127.0.0.1"), 0);
    char ep[256], ep2[256];
    /* with a domain: denied by address */
    zinc_socket_t *s = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_set(s, "zap_domain", "d"), 0);
    zt_bind(s, ZT_TCP, ep, sizeof ep);
    /* without one: ZAP is not asked, as libzmq */
    zinc_socket_t *s2 = zt_sock(ctx, ZINC_ROUTER);
    zt_bind(s2, ZT_TCP, ep2, sizeof ep2);
    zinc_socket_t *c = zt_sock(ctx, ZINC_DEALER), *c2 = zt_sock(ctx, ZINC_DEALER);
    zt_connect(c, ep);
    zt_connect(c2, ep2);
    zt_send_to_refuser(c);
    zt_send_str(c2, "no zap", 0);
    expect_from(s2, "no zap", NULL);
    expect_nothing(s, 500);
    /* a handler that allows it: READY goes out after the 200 (the client's
     * READY, which came meanwhile, is read then) */
    zinc_auth_free(a);
    a = zinc_auth_new(ctx);
    assert_non_null(a);
    zinc_socket_t *c3 = zt_sock(ctx, ZINC_DEALER);
    zt_connect(c3, ep);
    zt_send_str(c3, "allowed", 0);
    expect_from(s, "allowed", NULL);
    zinc_socket_close(c3);
    zinc_socket_close(c);
    zinc_socket_close(c2);
    zinc_socket_close(s);
    zinc_socket_close(s2);
    zinc_auth_free(a);
    zinc_ctx_term(ctx);
}

static void test_zap_null_domain_without_handler_passes_unless_enforced(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    char ep[256], ep2[256];
    zinc_socket_t *s = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_set(s, "zap_domain", "d"), 0);
    zt_bind(s, ZT_TCP, ep, sizeof ep);
    zinc_socket_t *s2 = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_set(s2, "zap_domain", "d"), 0);
    assert_int_equal(zinc_set(s2, "zap_enforce_domain", "1"), 0);
    zt_bind(s2, ZT_TCP, ep2, sizeof ep2);
    zinc_socket_t *c = zt_sock(ctx, ZINC_DEALER), *c2 = zt_sock(ctx, ZINC_DEALER);
    zt_connect(c, ep);
    zt_connect(c2, ep2);
    zt_send_str(c, "passes", 0);
    zt_send_to_refuser(c2);
    expect_from(s, "passes", NULL);
    expect_nothing(s2, 500);
    zinc_socket_close(c);
    zinc_socket_close(c2);
    zinc_socket_close(s);
    zinc_socket_close(s2);
    zinc_ctx_term(ctx);
}

/* A handler of our own (a ROUTER at the ZAP endpoint): reads requests until
 * one comes from user (others are left unanswered) and returns its routing
 * id and request id. */
static size_t handler_read(zinc_socket_t *h, const char *user, uint8_t *rid, char reqid[16])
{
    int64_t deadline = zt_now_ms() + 5000;
    for (;;) {
        zinc_socket_t *socks[1] = {h};
        int64_t left = deadline - zt_now_ms();
        assert_true(left > 0);
        assert_int_equal(zt_poll_in(socks, 1, (int)left), 0);
        size_t rid_len = zt_recv_any(h, rid, 255);
        char buf[16], who[16] = "";
        for (int i = 0; zt_rcvmore(h); i++) {
            size_t n = zt_recv_any(h, buf, sizeof buf - 1);
            buf[n] = '\0';
            if (i == 2)
                memcpy(reqid, buf, n + 1);
            if (i == 7)
                memcpy(who, buf, n + 1);
        }
        if (strcmp(who, user) == 0)
            return rid_len;
    }
}

static void handler_reply(zinc_socket_t *h, const uint8_t *rid, size_t rid_len, const char *reqid,
                          const char *status, const char *user)
{
    zt_send(h, rid, rid_len, ZINC_MORE);
    const char *parts[] = {"", "1.0", reqid, status, "text", user, ""};
    zt_send_msg(h, parts, 7);
}

/* One good connection first (200 from our handler), then a client whose
 * request is never answered, one answered with garbage and one whose
 * handler goes away: each of those connections ends (its client, a zinc
 * DEALER, redials and asks again), and the first one goes on. */
static void test_zap_handler_silent_garbage_or_gone_ends_only_that_connection(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *h = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_bind(h, ZAP_EP), 0);
    char ep[256], reqid[16];
    uint8_t rid[255];
    /* handshake_ivl before the bind: the listener copies the options */
    zinc_socket_t *s = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_set(s, "plain_server", "1"), 0);
    assert_int_equal(zinc_set_int(s, "handshake_ivl", 800), 0);
    zt_bind(s, ZT_TCP, ep, sizeof ep);

    zinc_socket_t *good = plain_client(ctx, ep, "good", "p");
    size_t n = handler_read(h, "good", rid, reqid);
    handler_reply(h, rid, n, reqid, "200", "good-user");
    zt_send_str(good, "one", 0);
    expect_from(s, "one", "good-user");

    /* silent: the handshake timer ends it; the client asks again */
    zinc_socket_t *silent = plain_client(ctx, ep, "silent", "p");
    zt_send_str(silent, "never", 0);
    (void)handler_read(h, "silent", rid, reqid);
    (void)handler_read(h, "silent", rid, reqid);
    zinc_socket_close(silent);
    zt_send_str(good, "two", 0);
    expect_from(s, "two", "good-user");

    /* garbage: a reply of three frames */
    zinc_socket_t *garbage = plain_client(ctx, ep, "garbage", "p");
    zt_send_str(garbage, "never", 0);
    n = handler_read(h, "garbage", rid, reqid);
    zt_send(h, rid, n, ZINC_MORE);
    const char *junk[] = {"", "1.0", "junk"};
    zt_send_msg(h, junk, 3);
    (void)handler_read(h, "garbage", rid, reqid);
    zinc_socket_close(garbage);

    /* gone: the handler closes with a request pending */
    zinc_socket_t *orphan = plain_client(ctx, ep, "orphan", "p");
    zt_send_str(orphan, "never", 0);
    (void)handler_read(h, "orphan", rid, reqid);
    zinc_socket_close(h);
    expect_nothing(s, 500);

    zt_send_str(good, "three", 0);
    expect_from(s, "three", "good-user");
    zinc_socket_close(orphan);
    zinc_socket_close(good);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

/* Many handshakes at once over two I/O threads: each connection gets the
 * answer to its own request. */
static void test_zap_many_concurrent_clients_each_get_their_own_decision(void **state)
{
    (void)state;
    enum { N = 16 };
    zinc_ctx_t *ctx = zinc_ctx_new();
    assert_int_equal(zinc_ctx_set(ctx, "io_threads", "2"), 0);
    zinc_auth_t *a = zinc_auth_new(ctx);
    assert_non_null(a);
    char ep[256], user[16], pass[16];
    for (int i = 0; i < N; i++) {
        snprintf(user, sizeof user, "u%d", i);
        snprintf(pass, sizeof pass, "p%d", i);
        assert_int_equal(zinc_auth_plain_set(a, "*", user, pass), 0);
    }
    zinc_socket_t *s = plain_server(ctx, ep, sizeof ep);
    zinc_socket_t *c[N];
    for (int i = 0; i < N; i++) {
        snprintf(user, sizeof user, "u%d", i);
        /* odd clients give the next one's password */
        snprintf(pass, sizeof pass, "p%d", i % 2 ? i + 1 : i);
        c[i] = plain_client(ctx, ep, user, pass);
        if (i % 2)
            zt_send_to_refuser(c[i]); /* its refusal may come first */
        else
            zt_send_str(c[i], user, 0);
    }
    bool seen[N] = {false};
    for (int k = 0; k < N / 2; k++) {
        zinc_frame_t *id = zinc_recv_frame(s, 0);
        assert_non_null(id);
        zinc_frame_t *f = zinc_recv_frame(s, 0);
        assert_non_null(f);
        int i = -1;
        char text[16] = "";
        size_t n = zinc_frame_size(f) < sizeof text - 1 ? zinc_frame_size(f) : sizeof text - 1;
        memcpy(text, zinc_frame_data(f), n);
        assert_int_equal(sscanf(text, "u%d", &i), 1);
        assert_true(i >= 0 && i < N && i % 2 == 0 && !seen[i]);
        seen[i] = true;
        assert_string_equal(zinc_frame_meta(f, "User-Id"), text);
        zinc_frame_unref(id);
        zinc_frame_unref(f);
    }
    expect_nothing(s, 300);
    for (int i = 0; i < N; i++)
        zinc_socket_close(c[i]);
    zinc_socket_close(s);
    zinc_auth_free(a);
    zinc_ctx_term(ctx);
}

/* A REP handler, as in libzmq's examples: the delimiter is its envelope. */
static void
test_zap_rep_handler_is_asked_and_its_user_id_and_metadata_reach_the_frames(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *h = zt_sock(ctx, ZINC_REP);
    assert_int_equal(zinc_bind(h, ZAP_EP), 0);
    char ep[256];
    zinc_socket_t *s = plain_server(ctx, ep, sizeof ep);
    zinc_socket_t *c = plain_client(ctx, ep, "joe", "pw");
    const char *want[] = {"1.0", "1", "", "127.0.0.1", "", "PLAIN", "joe", "pw"};
    zt_recv_msg(h, want, 8);
    /* with metadata (RFC 27: ZMTP properties): X-Role=admin */
    static const uint8_t meta[] = {6, 'X', '-', 'R', 'o', 'l', 'e', 0,
                                   0, 0,   5,   'a', 'd', 'm', 'i', 'n'};
    const char *reply[] = {"1.0", "1", "200", "OK", "joe-id"};
    for (int i = 0; i < 5; i++)
        zt_send_str(h, reply[i], ZINC_MORE);
    zt_send(h, meta, sizeof meta, 0);
    zt_send_str(c, "hello", 0);
    zinc_socket_t *socks[1] = {s};
    assert_int_equal(zt_poll_in(socks, 1, 5000), 0);
    zinc_frame_t *id = zinc_recv_frame(s, 0);
    zinc_frame_t *f = zinc_recv_frame(s, 0);
    assert_non_null(id);
    assert_non_null(f);
    assert_string_equal(zinc_frame_meta(f, "User-Id"), "joe-id");
    assert_string_equal(zinc_frame_meta(f, "X-Role"), "admin");
    zinc_frame_unref(id);
    zinc_frame_unref(f);
    zinc_socket_close(c);
    zinc_socket_close(s);
    zinc_socket_close(h);
    zinc_ctx_term(ctx);
}

/* ---- libzmq (pyzmq) clients against zinc servers with zinc's authenticator ----- */

static void pyzmq_plain_client_run(const char *user, const char *pass, const char *deny,
                                   bool expect)
{
    if (!zt_pysec_available())
        skip();
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_auth_t *a = zinc_auth_new(ctx);
    assert_non_null(a);
    assert_int_equal(zinc_auth_plain_set(a, "*", "admin", "secret"), 0);
    if (deny)
        assert_int_equal(zinc_auth_deny(a, deny), 0);
    char ep[256], args[512];
    zinc_socket_t *s = plain_server(ctx, ep, sizeof ep);
    snprintf(args, sizeof args, "client plain '%s' '%s' '%s' %s", ep, user, pass,
             expect ? "expect" : "nothing");
    FILE *py = zt_pysec_start(args);
    if (expect) {
        uint8_t id[255];
        size_t id_len = zt_recv_any(s, id, sizeof id);
        zinc_frame_t *f = zinc_recv_frame(s, 0);
        assert_non_null(f);
        assert_int_equal(zinc_frame_size(f), 0);
        assert_string_equal(zinc_frame_meta(f, "User-Id"), user);
        assert_true(zinc_frame_more(f));
        zinc_frame_unref(f);
        static uint8_t buf[70001];
        for (int i = 1; i < 4; i++)
            (void)zt_recv_any(s, buf, sizeof buf);
        zt_send(s, id, id_len, ZINC_MORE);
        zt_pysec_send(s);
    }
    zt_pysec_finish(py);
    if (!expect)
        zt_recv_none(s);
    zinc_socket_close(s);
    zinc_auth_free(a);
    zinc_ctx_term(ctx);
}

static void test_zap_libzmq_plain_client_passes_zinc_authenticator_with_user_id(void **state)
{
    (void)state;
    pyzmq_plain_client_run("admin", "secret", NULL, true);
}

static void test_zap_libzmq_plain_client_with_wrong_password_delivers_nothing(void **state)
{
    (void)state;
    pyzmq_plain_client_run("admin", "wrong", NULL, false);
}

static void test_zap_libzmq_client_from_a_denied_address_delivers_nothing(void **state)
{
    (void)state;
    pyzmq_plain_client_run("admin", "secret", "127.0.0.1", false);
}

static void pyzmq_curve_client_run(bool listed)
{
    if (!zt_pysec_available())
        skip();
    uint8_t spub[32], ssec[32], cpub[32], csec[32], other[32], osec[32];
    curve_pair(spub, ssec, 41);
    curve_pair(cpub, csec, 42);
    curve_pair(other, osec, 43);
    char zs[41], zc[41], zcs[41];
    assert_non_null(zinc_z85_encode(zs, spub, 32));
    assert_non_null(zinc_z85_encode(zc, cpub, 32));
    assert_non_null(zinc_z85_encode(zcs, csec, 32));
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_auth_t *a = zinc_auth_new(ctx);
    assert_non_null(a);
    assert_int_equal(zinc_auth_curve_allow(a, "*", listed ? cpub : other, 32), 0);
    zinc_socket_t *s = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_set_bytes(s, "curve_secretkey", ssec, 32), 0);
    assert_int_equal(zinc_set_bytes(s, "curve_publickey", spub, 32), 0);
    assert_int_equal(zinc_set(s, "curve_server", "1"), 0);
    char ep[256], args[512];
    zt_bind(s, ZT_TCP, ep, sizeof ep);
    snprintf(args, sizeof args, "client curve '%s' '%s' '%s' '%s' %s", ep, zs, zc, zcs,
             listed ? "expect" : "nothing");
    FILE *py = zt_pysec_start(args);
    if (listed) {
        uint8_t id[255];
        size_t id_len = zt_recv_any(s, id, sizeof id);
        zinc_frame_t *f = zinc_recv_frame(s, 0);
        assert_non_null(f);
        assert_string_equal(zinc_frame_meta(f, "User-Id"), zc);
        zinc_frame_unref(f);
        static uint8_t buf[70001];
        for (int i = 1; i < 4; i++)
            (void)zt_recv_any(s, buf, sizeof buf);
        zt_send(s, id, id_len, ZINC_MORE);
        zt_pysec_send(s);
    }
    zt_pysec_finish(py);
    if (!listed)
        zt_recv_none(s);
    zinc_socket_close(s);
    zinc_auth_free(a);
    zinc_ctx_term(ctx);
}

static void test_zap_libzmq_curve_client_with_a_listed_key_gets_its_key_as_user_id(void **state)
{
    (void)state;
    pyzmq_curve_client_run(true);
}

static void test_zap_libzmq_curve_client_with_an_unlisted_key_delivers_nothing(void **state)
{
    (void)state;
    pyzmq_curve_client_run(false);
}

/* A directory of certificates that pyzmq wrote (zmq.auth.create_certificates):
 * the libzmq client with the listed certificate's keys gets in. */
static void test_zap_libzmq_curve_client_with_a_pyzmq_certificate_from_curve_dir(void **state)
{
    (void)state;
    if (!zt_pysec_available())
        skip();
    char dir[64], cmd[512], path[128];
    snprintf(dir, sizeof dir, "/tmp/zinc-auth-pycerts-%ld", (long)getpid());
    snprintf(cmd, sizeof cmd,
             "%s -c \"import sys, os, zmq.auth; os.mkdir(sys.argv[1]); "
             "zmq.auth.create_certificates(sys.argv[1], \\\"client\\\")\" %s",
             zt_pysec_python(), dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/client.key", dir);
    zinc_cert_t *cert = zinc_cert_load(path);
    assert_non_null(cert);
    assert_non_null(zinc_cert_secret_key(cert));
    uint8_t spub[32], ssec[32];
    curve_pair(spub, ssec, 44);
    char zs[41];
    assert_non_null(zinc_z85_encode(zs, spub, 32));
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_auth_t *a = zinc_auth_new(ctx);
    assert_non_null(a);
    assert_int_equal(zinc_auth_curve_dir(a, "*", dir), 0);
    zinc_socket_t *s = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_set_bytes(s, "curve_secretkey", ssec, 32), 0);
    assert_int_equal(zinc_set_bytes(s, "curve_publickey", spub, 32), 0);
    assert_int_equal(zinc_set(s, "curve_server", "1"), 0);
    char ep[256], args[512];
    zt_bind(s, ZT_TCP, ep, sizeof ep);
    snprintf(args, sizeof args, "client curve '%s' '%s' '%s' '%s' expect", ep, zs,
             zinc_cert_public_txt(cert), zinc_cert_secret_txt(cert));
    FILE *py = zt_pysec_start(args);
    uint8_t id[255];
    size_t id_len = zt_recv_any(s, id, sizeof id);
    zinc_frame_t *f = zinc_recv_frame(s, 0);
    assert_non_null(f);
    assert_string_equal(zinc_frame_meta(f, "User-Id"), zinc_cert_public_txt(cert));
    zinc_frame_unref(f);
    static uint8_t buf[70001];
    for (int i = 1; i < 4; i++)
        (void)zt_recv_any(s, buf, sizeof buf);
    zt_send(s, id, id_len, ZINC_MORE);
    zt_pysec_send(s);
    zt_pysec_finish(py);
    zinc_socket_close(s);
    zinc_auth_free(a);
    zinc_ctx_term(ctx);
    zinc_cert_free(cert);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

#define FX(t) cmocka_unit_test_setup_teardown(t, fixture_up, fixture_down)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX(test_auth_plain_allows_the_right_password_with_the_user_as_user_id),
        FX(test_auth_plain_denies_a_wrong_password_or_user_with_400),
        FX(test_auth_domain_configuration_wins_over_star),
        FX(test_auth_without_configuration_refuses_plain_and_curve_but_allows_null),
        FX(test_auth_curve_any_allows_every_key_with_its_z85_as_user_id),
        FX(test_auth_curve_list_allows_listed_keys_given_as_z85_or_raw),
        FX(test_auth_allow_list_admits_only_its_addresses_and_still_checks_passwords),
        FX(test_auth_deny_list_refuses_its_addresses_only),
        FX(test_auth_plain_file_reads_user_equals_password_lines),
        FX(test_auth_curve_dir_allows_the_keys_of_its_public_certificates),
        FX(test_auth_log_reports_each_decision_without_the_password),
        FX(test_auth_malformed_requests_get_400_or_no_answer),
        FX(test_auth_bad_arguments_fail_with_errno),
        cmocka_unit_test(test_auth_one_handler_per_context_and_free_releases_the_endpoint),
        cmocka_unit_test(test_auth_ctx_term_while_it_runs_ends_it_then_free_joins),
        cmocka_unit_test(
            test_zap_plain_between_zinc_sockets_sets_user_id_and_refuses_wrong_passwords),
        cmocka_unit_test(test_zap_curve_between_zinc_sockets_allows_listed_keys_only),
        cmocka_unit_test(test_zap_null_server_with_a_domain_asks_the_handler),
        cmocka_unit_test(test_zap_null_domain_without_handler_passes_unless_enforced),
        cmocka_unit_test(test_zap_handler_silent_garbage_or_gone_ends_only_that_connection),
        cmocka_unit_test(test_zap_many_concurrent_clients_each_get_their_own_decision),
        cmocka_unit_test(
            test_zap_rep_handler_is_asked_and_its_user_id_and_metadata_reach_the_frames),
        cmocka_unit_test(test_zap_libzmq_plain_client_passes_zinc_authenticator_with_user_id),
        cmocka_unit_test(test_zap_libzmq_plain_client_with_wrong_password_delivers_nothing),
        cmocka_unit_test(test_zap_libzmq_client_from_a_denied_address_delivers_nothing),
        cmocka_unit_test(test_zap_libzmq_curve_client_with_a_listed_key_gets_its_key_as_user_id),
        cmocka_unit_test(test_zap_libzmq_curve_client_with_an_unlisted_key_delivers_nothing),
        cmocka_unit_test(test_zap_libzmq_curve_client_with_a_pyzmq_certificate_from_curve_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
