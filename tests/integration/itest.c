/* Integration test helpers: see itest.h. */
#include "itest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

const it_tran_t it_tcp = {IT_TCP, "tcp"};
const it_tran_t it_ipc = {IT_IPC, "ipc"};
const it_tran_t it_inproc = {IT_INPROC, "inproc"};

static const it_tran_t *const it_trans[] = {&it_tcp, &it_ipc, &it_inproc};

/* ---- time ------------------------------------------------------------------ */

int64_t it_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void it_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- endpoints ------------------------------------------------------------- */

static unsigned it_ep_counter;

static const char *it_tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    return t && t[0] && strlen(t) < 48 ? t : "/tmp";
}

static int it_free_tcp_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t len = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

void it_ep_wild(const it_tran_t *t, char *buf, size_t cap)
{
    unsigned n = ++it_ep_counter;
    switch (t->id) {
    case IT_TCP:
        snprintf(buf, cap, "tcp://127.0.0.1:0");
        break;
    case IT_IPC:
        snprintf(buf, cap, "ipc://%s/zinc-it-%d-%u", it_tmpdir(), (int)getpid(), n);
        break;
    case IT_INPROC:
        snprintf(buf, cap, "inproc://it-%u", n);
        break;
    }
}

void it_ep_fixed(const it_tran_t *t, char *buf, size_t cap)
{
    if (t->id == IT_TCP)
        snprintf(buf, cap, "tcp://127.0.0.1:%d", it_free_tcp_port());
    else
        it_ep_wild(t, buf, cap);
}

/* ---- fixture ---------------------------------------------------------------- */

int it_setup(void **state)
{
    it_fx_t *fx = *state;
    fx->ctx = zinc_ctx_new();
    if (!fx->ctx)
        return -1;
    for (size_t i = 0; i < IT_MAX_SOCKS; i++)
        fx->socks[i] = NULL;
    fx->started_ms = it_now_ms();
    alarm(IT_CASE_S);
    return 0;
}

int it_teardown(void **state)
{
    it_fx_t *fx = *state;
    for (size_t i = 0; i < IT_MAX_SOCKS; i++)
        if (fx->socks[i]) {
            zinc_set_int(fx->socks[i], "linger", 0);
            zinc_socket_close(fx->socks[i]);
            fx->socks[i] = NULL;
        }
    if (fx->ctx)
        zinc_ctx_term(fx->ctx);
    fx->ctx = NULL;
    alarm(0);
    int64_t took = it_now_ms() - fx->started_ms;
    if (took >= (getenv("IT_TIMING") ? 0 : 2000))
        print_message("[ time     ] %lld ms\n", (long long)took);
    return 0;
}

zinc_socket_t *it_socket(it_fx_t *fx, int type)
{
    zinc_socket_t *s = zinc_socket_new(fx->ctx, type);
    if (!s && errno == EINVAL) {
        print_message("[ skipped ] %s sockets are not built yet\n", zinc_socket_type_name(type));
        skip();
    }
    assert_non_null(s);
    size_t i = 0;
    while (i < IT_MAX_SOCKS && fx->socks[i])
        i++;
    assert_true(i < IT_MAX_SOCKS);
    fx->socks[i] = s;
    it_set_int(s, "linger", 0);
    it_set_int(s, "rcvtimeo", IT_IO_MS);
    it_set_int(s, "sndtimeo", IT_IO_MS);
    return s;
}

void it_forget(it_fx_t *fx, zinc_socket_t *s)
{
    for (size_t i = 0; i < IT_MAX_SOCKS; i++)
        if (fx->socks[i] == s)
            fx->socks[i] = NULL;
}

void it_close(it_fx_t *fx, zinc_socket_t *s)
{
    it_forget(fx, s);
    assert_int_equal(zinc_socket_close(s), 0);
}

void it_set_int(zinc_socket_t *s, const char *name, int64_t v)
{
    if (zinc_set_int(s, name, v) != 0)
        fail_msg("set %s = %lld: %s (%s)", name, (long long)v, zinc_strerror(errno),
                 zinc_last_error_detail());
}

void it_set_str(zinc_socket_t *s, const char *name, const char *v)
{
    if (zinc_set(s, name, v) != 0)
        fail_msg("set %s = %s: %s (%s)", name, v, zinc_strerror(errno), zinc_last_error_detail());
}

int64_t it_get_int(zinc_socket_t *s, const char *name)
{
    int64_t v = 0;
    if (zinc_get_int(s, name, &v) != 0)
        fail_msg("get %s: %s", name, zinc_strerror(errno));
    return v;
}

void it_last_endpoint(zinc_socket_t *s, char *buf, size_t cap)
{
    size_t len = cap;
    assert_int_equal(zinc_get(s, "last_endpoint", buf, &len), 0);
}

void it_bind(zinc_socket_t *s, const char *endpoint, char *out, size_t cap)
{
    if (zinc_bind(s, endpoint) != 0)
        fail_msg("bind %s: %s (%s)", endpoint, zinc_strerror(errno), zinc_last_error_detail());
    if (out)
        it_last_endpoint(s, out, cap);
}

void it_connect(zinc_socket_t *s, const char *endpoint)
{
    if (zinc_connect(s, endpoint) != 0)
        fail_msg("connect %s: %s (%s)", endpoint, zinc_strerror(errno), zinc_last_error_detail());
}

/* ---- messages ------------------------------------------------------------------ */

static uint8_t it_octet(uint32_t m, uint32_t f, size_t i)
{
    uint32_t k = (m * 7u + f * 3u + 1u) % 251u;
    return (uint8_t)(((i % 251) * 131u + k) % 251u);
}

/* One period (251 octets) of frame (m, f)'s pattern, from offset 0. */
static void it_period(uint32_t m, uint32_t f, uint8_t period[251])
{
    for (size_t i = 0; i < 251; i++)
        period[i] = it_octet(m, f, i);
}

zinc_frame_t *it_frame(uint32_t m, uint32_t f, size_t size)
{
    zinc_frame_t *fr = zinc_frame_new_size(size);
    assert_non_null(fr);
    uint8_t *p = zinc_frame_data_mut(fr);
    uint8_t period[251];
    it_period(m, f, period);
    for (size_t i = 0; i < size; i += 251)
        memcpy(p + i, period, size - i < 251 ? size - i : 251);
    if (size >= 4)
        memcpy(p, &m, 4);
    return fr;
}

bool it_frame_ok(const zinc_frame_t *fr, uint32_t m, uint32_t f, size_t size)
{
    if (zinc_frame_size(fr) != size)
        return false;
    const uint8_t *p = zinc_frame_data(fr);
    if (size >= 4 && memcmp(p, &m, 4) != 0)
        return false;
    uint8_t period[251];
    it_period(m, f, period);
    if (size >= 4)
        memcpy(period, &m, 4); /* the first period carries the tag */
    for (size_t i = 0; i < size; i += 251) {
        if (memcmp(p + i, period, size - i < 251 ? size - i : 251) != 0)
            return false;
        if (i == 0)
            for (size_t j = 0; j < 4; j++)
                period[j] = it_octet(m, f, j);
    }
    return true;
}

uint32_t it_frame_tag(const zinc_frame_t *fr)
{
    uint32_t m = UINT32_MAX;
    if (zinc_frame_size(fr) >= 4)
        memcpy(&m, zinc_frame_data(fr), 4);
    return m;
}

void it_msg_clear(it_msg_t *msg)
{
    for (size_t i = 0; i < msg->n; i++)
        zinc_frame_unref(msg->f[i]);
    msg->n = 0;
}

void it_msg_make(it_msg_t *msg, uint32_t m, size_t nframes, size_t size)
{
    assert_true(nframes <= IT_MAX_FRAMES);
    msg->n = nframes;
    for (size_t i = 0; i < nframes; i++)
        msg->f[i] = it_frame(m, (uint32_t)i, size);
}

bool it_msg_ok(const it_msg_t *msg, uint32_t m, size_t nframes, size_t size)
{
    if (msg->n != nframes)
        return false;
    for (size_t i = 0; i < nframes; i++)
        if (!it_frame_ok(msg->f[i], m, (uint32_t)i, size))
            return false;
    return true;
}

int it_send_msg(zinc_socket_t *s, it_msg_t *msg, int flags)
{
    for (size_t i = 0; i < msg->n; i++) {
        int fl = flags | (i + 1 < msg->n ? ZINC_MORE : 0);
        if (zinc_send_frame(s, msg->f[i], fl) != 0) {
            int err = errno;
            for (size_t j = i; j < msg->n; j++)
                zinc_frame_unref(msg->f[j]);
            msg->n = 0;
            errno = err;
            return -1;
        }
    }
    msg->n = 0;
    return 0;
}

int it_recv_msg(zinc_socket_t *s, it_msg_t *msg, int flags)
{
    msg->n = 0;
    for (;;) {
        zinc_frame_t *f = zinc_recv_frame(s, msg->n ? 0 : flags);
        if (!f) {
            int err = errno;
            if (msg->n)
                fail_msg("recv failed mid-message (frame %zu): %s", msg->n, zinc_strerror(err));
            errno = err;
            return -1;
        }
        assert_true(msg->n < IT_MAX_FRAMES);
        msg->f[msg->n++] = f;
        if (!zinc_frame_more(f))
            return 0;
    }
}

int it_send_u32(zinc_socket_t *s, uint32_t v, int flags)
{
    return zinc_send(s, &v, sizeof v, flags) == (int)sizeof v ? 0 : -1;
}

int it_recv_u32(zinc_socket_t *s, uint32_t *v, int flags)
{
    uint8_t buf[8];
    int n = zinc_recv(s, buf, sizeof buf, flags);
    if (n < 0)
        return -1;
    assert_int_equal(n, 4);
    memcpy(v, buf, 4);
    return 0;
}

void it_expect_silence(zinc_socket_t *s, int ms)
{
    int64_t old = it_get_int(s, "rcvtimeo");
    it_set_int(s, "rcvtimeo", ms);
    zinc_frame_t *f = zinc_recv_frame(s, 0);
    int err = errno;
    it_set_int(s, "rcvtimeo", old);
    if (f) {
        size_t n = zinc_frame_size(f);
        zinc_frame_unref(f);
        fail_msg("expected nothing, received a frame of %zu octets", n);
    }
    assert_int_equal(err, EAGAIN);
}

/* ---- pattern pairs ------------------------------------------------------------- */

const it_pat_t it_pats[] = {
    {"pair-pair", ZINC_PAIR, ZINC_PAIR, IT_BIDI},
    {"push-pull", ZINC_PUSH, ZINC_PULL, 0},
    {"dealer-dealer", ZINC_DEALER, ZINC_DEALER, IT_BIDI},
    {"req-rep", ZINC_REQ, ZINC_REP, IT_LOCKSTEP},
    {"dealer-router", ZINC_DEALER, ZINC_ROUTER, IT_BIDI | IT_B_ROUTER},
    {"router-router", ZINC_ROUTER, ZINC_ROUTER, IT_BIDI | IT_A_ROUTER | IT_B_ROUTER},
    {"pub-sub", ZINC_PUB, ZINC_SUB, IT_PUBSUB | IT_HWM_DROPS},
};
const size_t it_npats = sizeof it_pats / sizeof it_pats[0];

static bool it_is_router(const it_link_t *l, int side)
{
    return (l->pat->flags & (side == 0 ? IT_A_ROUTER : IT_B_ROUTER)) != 0;
}

static const uint8_t it_probe[] = {0xff, 'P', 'R', 'O', 'B', 'E', 0xff};
static const uint8_t it_probe_end[] = {0xff, 'E', 'N', 'D', 0xff};

static bool it_frame_is(const zinc_frame_t *f, const uint8_t *what, size_t n)
{
    return zinc_frame_size(f) == n && memcmp(zinc_frame_data(f), what, n) == 0;
}

void it_link_open(it_fx_t *fx, it_link_t *l, const it_pat_t *pat, bool bind_a, bool connect_first)
{
    memset(l, 0, sizeof *l);
    l->fx = fx;
    l->pat = pat;
    l->s[0] = it_socket(fx, pat->a);
    l->s[1] = it_socket(fx, pat->b);
    for (int i = 0; i < 2; i++) {
        l->rid[i][0] = (uint8_t)(i == 0 ? 'A' : 'B');
        if (zinc_option_applies_to(zinc_option_find("routing_id"), i ? pat->b : pat->a))
            assert_int_equal(zinc_set_bytes(l->s[i], "routing_id", l->rid[i], 1), 0);
        if (it_is_router(l, i))
            it_set_int(l->s[i], "router_mandatory", 1);
    }
    if (pat->flags & IT_PUBSUB)
        assert_int_equal(zinc_set_bytes(l->s[1], "subscribe", "", 0), 0);
    zinc_socket_t *binder = l->s[bind_a ? 0 : 1];
    zinc_socket_t *connecter = l->s[bind_a ? 1 : 0];
    if (fx->tune)
        for (int i = 0; i < 2; i++)
            fx->tune(l->s[i], i);
    if (connect_first) {
        it_set_int(connecter, "reconnect_ivl", 20);
        it_ep_fixed(fx->tran, l->ep, sizeof l->ep);
        it_connect(connecter, l->ep);
        it_bind(binder, l->ep, NULL, 0);
    } else {
        char wild[256];
        it_ep_wild(fx->tran, wild, sizeof wild);
        it_bind(binder, wild, l->ep, sizeof l->ep);
        it_connect(connecter, l->ep);
    }
}

void it_link_open_fx(it_fx_t *fx, it_link_t *l)
{
    assert_non_null(fx->pat);
    it_link_open(fx, l, fx->pat, fx->bind_a, fx->connect_first);
}

int it_link_send(it_link_t *l, int from, it_msg_t *body, int flags)
{
    zinc_socket_t *s = l->s[from];
    if (!it_is_router(l, from))
        return it_send_msg(s, body, flags);
    /* ROUTER: the envelope names the other side; with router_mandatory an
     * unknown peer (not connected yet) gives EHOSTUNREACH: try again. */
    int64_t deadline = it_now_ms() + IT_IO_MS;
    for (;;) {
        zinc_frame_t *id = zinc_frame_new(l->rid[1 - from], 1);
        assert_non_null(id);
        if (zinc_send_frame(s, id, flags | ZINC_MORE) == 0)
            return it_send_msg(s, body, flags);
        int err = errno;
        zinc_frame_unref(id);
        if (err != EHOSTUNREACH || (flags & ZINC_DONTWAIT) || it_now_ms() > deadline) {
            it_msg_clear(body);
            errno = err;
            return -1;
        }
        it_sleep_ms(5);
    }
}

int it_link_recv(it_link_t *l, int to, it_msg_t *body, int flags)
{
    zinc_socket_t *s = l->s[to];
    it_msg_t m;
    if (it_recv_msg(s, &m, flags) != 0)
        return -1;
    size_t skip = 0;
    if (it_is_router(l, to)) {
        assert_true(m.n >= 2);
        assert_true(it_frame_is(m.f[0], l->rid[1 - to], 1));
        skip = 1;
    }
    body->n = 0;
    for (size_t i = skip; i < m.n; i++)
        body->f[body->n++] = m.f[i];
    if (skip)
        zinc_frame_unref(m.f[0]);
    if ((l->pat->flags & IT_LOCKSTEP) && to == 1) {
        /* REP: echo the request; REQ: its reply must be the same. */
        it_msg_t echo = {.n = body->n};
        for (size_t i = 0; i < body->n; i++)
            echo.f[i] = zinc_frame_ref(body->f[i]);
        assert_int_equal(it_send_msg(l->s[1], &echo, 0), 0);
        it_msg_t reply;
        assert_int_equal(it_recv_msg(l->s[0], &reply, 0), 0);
        assert_int_equal(reply.n, body->n);
        for (size_t i = 0; i < body->n; i++) {
            assert_int_equal(zinc_frame_size(reply.f[i]), zinc_frame_size(body->f[i]));
            assert_memory_equal(zinc_frame_data(reply.f[i]), zinc_frame_data(body->f[i]),
                                zinc_frame_size(body->f[i]));
        }
        it_msg_clear(&reply);
    }
    return 0;
}

static void it_link_send_probe(it_link_t *l, const uint8_t *what, size_t n, int flags)
{
    it_msg_t m = {.n = 1};
    m.f[0] = zinc_frame_new(what, n);
    assert_non_null(m.f[0]);
    if (it_link_send(l, 0, &m, flags) != 0 && errno != EAGAIN)
        fail_msg("probe: %s", zinc_strerror(errno));
}

void it_link_join(it_link_t *l)
{
    it_msg_t m;
    if (!(l->pat->flags & IT_PUBSUB)) {
        it_link_send_probe(l, it_probe, sizeof it_probe, 0);
        assert_int_equal(it_link_recv(l, 1, &m, 0), 0);
        assert_true(m.n == 1 && it_frame_is(m.f[0], it_probe, sizeof it_probe));
        it_msg_clear(&m);
        return;
    }
    /* PUB/SUB: probe until one gets through (the subscription reached the
     * publisher), then mark the end and swallow the probes before it. */
    int64_t deadline = it_now_ms() + IT_IO_MS;
    for (;;) {
        it_link_send_probe(l, it_probe, sizeof it_probe, ZINC_DONTWAIT);
        if (it_link_recv(l, 1, &m, ZINC_DONTWAIT) == 0) {
            it_msg_clear(&m);
            break;
        }
        assert_true(it_now_ms() < deadline);
        it_sleep_ms(5);
    }
    it_link_send_probe(l, it_probe_end, sizeof it_probe_end, 0);
    for (;;) {
        assert_int_equal(it_link_recv(l, 1, &m, 0), 0);
        bool end = m.n == 1 && it_frame_is(m.f[0], it_probe_end, sizeof it_probe_end);
        it_msg_clear(&m);
        if (end)
            break;
    }
}

/* ---- case tables ------------------------------------------------------------------ */

static const struct {
    unsigned bit;
    bool bind_a, connect_first;
    const char *name;
} it_orders[] = {
    {IT_A_BINDS, true, false, "a-binds"},
    {IT_A_BINDS_LATE, true, true, "a-binds-late"},
    {IT_B_BINDS, false, false, "b-binds"},
    {IT_B_BINDS_LATE, false, true, "b-binds-late"},
};

int it_run(const char *group, const it_case_t *cases, size_t n)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++)
        cap += 3 * (cases[i].orders ? it_npats * 4 : 1) + 1;
    struct CMUnitTest *tests = calloc(cap, sizeof *tests);
    it_fx_t *fxs = calloc(cap, sizeof *fxs);
    char **names = calloc(cap, sizeof *names);
    assert_true(tests && fxs && names);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (cases[i].trans == 0) { /* transport-independent */
            fxs[k].param = cases[i].param;
            names[k] = strdup(cases[i].name);
            tests[k] = (struct CMUnitTest){names[k], cases[i].fn, it_setup, it_teardown, &fxs[k]};
            k++;
        }
    for (size_t t = 0; t < 3; t++) {
        const it_tran_t *tran = it_trans[t];
        for (size_t i = 0; i < n; i++) {
            const it_case_t *c = &cases[i];
            if (!(c->trans & (1u << tran->id)))
                continue;
            size_t npat = c->orders ? it_npats : 1;
            size_t nord = c->orders ? 4 : 1;
            for (size_t p = 0; p < npat; p++)
                for (size_t o = 0; o < nord; o++) {
                    if (c->orders && !(c->orders & it_orders[o].bit))
                        continue;
                    it_fx_t *fx = &fxs[k];
                    fx->tran = tran;
                    fx->param = c->param;
                    char name[256];
                    if (c->orders) {
                        fx->pat = &it_pats[p];
                        fx->bind_a = it_orders[o].bind_a;
                        fx->connect_first = it_orders[o].connect_first;
                        snprintf(name, sizeof name, "%s %s %s: %s", tran->name, it_pats[p].name,
                                 it_orders[o].name, c->name);
                    } else {
                        snprintf(name, sizeof name, "%s: %s", tran->name, c->name);
                    }
                    names[k] = strdup(name);
                    tests[k] = (struct CMUnitTest){names[k], c->fn, it_setup, it_teardown, fx};
                    k++;
                }
        }
    }
    int rc = _cmocka_run_group_tests(group, tests, k, NULL, NULL);
    for (size_t i = 0; i < k; i++)
        free(names[i]);
    free(names);
    free(fxs);
    free(tests);
    return rc;
}
