/* tcp and ipc fd helpers on loopback: listen, connect, accept, exchange,
 * ephemeral ports, options, ipc paths and abstract names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transport/endpoint.h"
#include "transport/ipc.h"
#include "transport/tcp.h"

static bool wait_fd(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    return poll(&p, 1, 2000) == 1;
}

static int getint(int fd, int level, int name)
{
    int v = -12345;
    socklen_t len = sizeof v;
    assert_int_equal(getsockopt(fd, level, name, &v, &len), 0);
    return v;
}

static void assert_nonblocking_cloexec(int fd)
{
    assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

/* Both directions, through non-blocking fds. */
static void exchange(int a, int b)
{
    char buf[16];
    assert_int_equal(write(a, "hello", 5), 5);
    assert_true(wait_fd(b, POLLIN));
    assert_int_equal(read(b, buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(write(b, "back", 4), 4);
    assert_true(wait_fd(a, POLLIN));
    assert_int_equal(read(a, buf, sizeof buf), 4);
    assert_memory_equal(buf, "back", 4);
}

static bool have_ipv6(void)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    bool ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* Resolves an endpoint for bind or connect (tcp only). */
static socklen_t resolve(const char *uri, zi_ep_mode_t mode, int flags, struct sockaddr_storage *ss)
{
    zi_endpoint_t ep;
    assert_int_equal(zi_endpoint_parse(uri, mode, &ep), 0);
    socklen_t len;
    if (zi_tcp_resolve(&ep.tcp, flags | (mode == ZI_EP_BIND ? ZI_RESOLVE_BIND : 0), ss, &len))
        fail_msg("resolve %s: %s", uri, strerror(errno));
    return len;
}

/* Listens on uri; returns the fd and the last_endpoint in ep_text. */
static int listen_on(const char *uri, int flags, char *ep_text)
{
    struct sockaddr_storage ss;
    socklen_t len = resolve(uri, ZI_EP_BIND, flags, &ss);
    int fd = zi_tcp_listen((struct sockaddr *)&ss, len, 100, NULL);
    assert_true(fd >= 0);
    assert_int_equal(zi_endpoint_of_fd(fd, ep_text, ZI_ADDR_TEXT_MAX), 0);
    return fd;
}

/* Connects to the last_endpoint text and completes the connection. */
static int connect_to(const char *ep_text, int flags, const zi_tcp_opts_t *opts)
{
    struct sockaddr_storage ss;
    socklen_t len = resolve(ep_text, ZI_EP_CONNECT, flags, &ss);
    bool pending;
    int fd = zi_tcp_connect((struct sockaddr *)&ss, len, NULL, 0, opts, &pending);
    assert_true(fd >= 0);
    if (pending) {
        assert_true(wait_fd(fd, POLLOUT));
        assert_int_equal(zi_tcp_connect_result(fd), 0);
    }
    return fd;
}

static int accept_from(int lfd, const zi_tcp_opts_t *opts)
{
    assert_true(wait_fd(lfd, POLLIN));
    int fd = zi_tcp_accept(lfd, opts);
    assert_true(fd >= 0);
    return fd;
}

/* ---- tcp -------------------------------------------------------------- */

static void test_tcp_ephemeral_port_connect_accept_exchange(void **state)
{
    char ep[ZI_ADDR_TEXT_MAX];
    int lfd = listen_on("tcp://127.0.0.1:*", 0, ep);
    assert_int_equal(strncmp(ep, "tcp://127.0.0.1:", 16), 0);
    assert_true(strtol(ep + 16, NULL, 10) > 0); /* the ephemeral port is reported */
    assert_nonblocking_cloexec(lfd);
    assert_int_equal(getint(lfd, SOL_SOCKET, SO_REUSEADDR), 1);

    errno = 0;
    assert_int_equal(zi_tcp_accept(lfd, NULL), -1); /* nobody yet */
    assert_int_equal(errno, EAGAIN);

    int c = connect_to(ep, 0, NULL);
    int s = accept_from(lfd, NULL);
    assert_nonblocking_cloexec(c);
    assert_nonblocking_cloexec(s);
    assert_int_equal(getint(c, IPPROTO_TCP, TCP_NODELAY), 1);
    assert_int_equal(getint(s, IPPROTO_TCP, TCP_NODELAY), 1);
    exchange(c, s);

    char peer[64];
    assert_int_equal(zi_tcp_peer_address(s, peer, sizeof peer), 0);
    assert_string_equal(peer, "127.0.0.1");
    char local[ZI_ADDR_TEXT_MAX];
    assert_int_equal(zi_endpoint_of_fd(s, local, sizeof local), 0);
    assert_string_equal(local, ep); /* accepted fd's local address is the listener's */
    close(c);
    close(s);
    close(lfd);
}

static void test_tcp_wildcard_bind_reports_any_address(void **state)
{
    char ep[ZI_ADDR_TEXT_MAX];
    int lfd = listen_on("tcp://*:*", 0, ep);
    assert_int_equal(strncmp(ep, "tcp://0.0.0.0:", 14), 0);
    char to[ZI_ADDR_TEXT_MAX + 32];
    snprintf(to, sizeof to, "tcp://127.0.0.1:%s", ep + 14);
    int c = connect_to(to, 0, NULL);
    int s = accept_from(lfd, NULL);
    exchange(s, c);
    close(c);
    close(s);
    close(lfd);
}

static void test_tcp_second_listener_on_a_port_in_use_fails(void **state)
{
    char ep[ZI_ADDR_TEXT_MAX];
    int lfd = listen_on("tcp://127.0.0.1:0", 0, ep);
    struct sockaddr_storage ss;
    socklen_t len = resolve(ep, ZI_EP_BIND, 0, &ss);
    errno = 0;
    assert_int_equal(zi_tcp_listen((struct sockaddr *)&ss, len, 10, NULL), -1);
    assert_int_equal(errno, EADDRINUSE);
    close(lfd);
}

static void test_tcp_connect_to_a_closed_port_is_refused(void **state)
{
    char ep[ZI_ADDR_TEXT_MAX];
    int lfd = listen_on("tcp://127.0.0.1:0", 0, ep);
    close(lfd); /* the port is now (very probably) closed */
    struct sockaddr_storage ss;
    socklen_t len = resolve(ep, ZI_EP_CONNECT, 0, &ss);
    bool pending;
    int fd = zi_tcp_connect((struct sockaddr *)&ss, len, NULL, 0, NULL, &pending);
    if (fd >= 0) {
        assert_true(pending);
        assert_true(wait_fd(fd, POLLOUT));
        assert_int_equal(zi_tcp_connect_result(fd), -1);
        close(fd);
    }
    assert_int_equal(errno, ECONNREFUSED);
}

static void test_tcp_applies_keepalive_and_buffer_options(void **state)
{
    char ep[ZI_ADDR_TEXT_MAX];
    zi_tcp_opts_t on;
    zi_tcp_opts_default(&on);
    on.keepalive = 1;
    on.keepalive_cnt = 5;
    on.keepalive_idle = 60;
    on.keepalive_intvl = 10;
    on.sndbuf = 65536;
    on.rcvbuf = 131072;
    int lfd = listen_on("tcp://127.0.0.1:0", 0, ep);
    int c = connect_to(ep, 0, &on);
    assert_int_equal(getint(c, SOL_SOCKET, SO_KEEPALIVE), 1);
    assert_int_equal(getint(c, IPPROTO_TCP, TCP_KEEPCNT), 5);
    assert_int_equal(getint(c, IPPROTO_TCP, TCP_KEEPIDLE), 60);
    assert_int_equal(getint(c, IPPROTO_TCP, TCP_KEEPINTVL), 10);
    assert_true(getint(c, SOL_SOCKET, SO_SNDBUF) >= 65536); /* Linux doubles it */
    assert_true(getint(c, SOL_SOCKET, SO_RCVBUF) >= 131072);

    zi_tcp_opts_t off;
    zi_tcp_opts_default(&off);
    off.keepalive = 0;
    off.keepalive_cnt = 3; /* ignored: keepalive is off */
    int s = accept_from(lfd, &off);
    assert_int_equal(getint(s, SOL_SOCKET, SO_KEEPALIVE), 0);
    int dflt = getint(s, IPPROTO_TCP, TCP_KEEPCNT);
    assert_true(dflt != 3);

    zi_tcp_opts_t ka_only;
    zi_tcp_opts_default(&ka_only);
    ka_only.keepalive = 1; /* the rest stays at the system's values */
    assert_int_equal(zi_tcp_tune(s, &ka_only), 0);
    assert_int_equal(getint(s, SOL_SOCKET, SO_KEEPALIVE), 1);
    assert_int_equal(getint(s, IPPROTO_TCP, TCP_KEEPCNT), dflt);
    exchange(c, s);
    close(c);
    close(s);
    close(lfd);
}

static void test_tcp_connects_from_a_source_address(void **state)
{
    char ep[ZI_ADDR_TEXT_MAX];
    int lfd = listen_on("tcp://127.0.0.1:0", 0, ep);
    char uri[2 * ZI_ADDR_TEXT_MAX];
    snprintf(uri, sizeof uri, "tcp://127.0.0.2:0;%s", ep + 6);
    zi_endpoint_t e;
    assert_int_equal(zi_endpoint_parse(uri, ZI_EP_CONNECT, &e), 0);
    assert_true(e.has_source);
    struct sockaddr_storage dst, src;
    socklen_t dlen, slen;
    assert_int_equal(zi_tcp_resolve(&e.tcp, 0, &dst, &dlen), 0);
    assert_int_equal(zi_tcp_resolve(&e.source, ZI_RESOLVE_BIND, &src, &slen), 0);
    bool pending;
    int c = zi_tcp_connect((struct sockaddr *)&dst, dlen, (struct sockaddr *)&src, slen, NULL,
                           &pending);
    assert_true(c >= 0);
    if (pending) {
        assert_true(wait_fd(c, POLLOUT));
        assert_int_equal(zi_tcp_connect_result(c), 0);
    }
    int s = accept_from(lfd, NULL);
    char peer[64];
    assert_int_equal(zi_tcp_peer_address(s, peer, sizeof peer), 0);
    assert_string_equal(peer, "127.0.0.2");
    exchange(c, s);
    close(c);
    close(s);
    close(lfd);
}

static void test_tcp_ipv6_loopback_and_dual_stack(void **state)
{
    if (!have_ipv6())
        skip();
    char ep[ZI_ADDR_TEXT_MAX];
    int lfd = listen_on("tcp://[::1]:*", ZI_RESOLVE_IPV6, ep);
    assert_int_equal(strncmp(ep, "tcp://[::1]:", 12), 0);
    int c = connect_to(ep, ZI_RESOLVE_IPV6, NULL);
    int s = accept_from(lfd, NULL);
    char peer[64];
    assert_int_equal(zi_tcp_peer_address(s, peer, sizeof peer), 0);
    assert_string_equal(peer, "::1");
    exchange(c, s);
    close(c);
    close(s);
    close(lfd);

    /* "*" with ipv6 on is [::], dual stack: an IPv4 client gets in. */
    lfd = listen_on("tcp://*:*", ZI_RESOLVE_IPV6, ep);
    assert_int_equal(strncmp(ep, "tcp://[::]:", 11), 0);
    char to[ZI_ADDR_TEXT_MAX + 32];
    snprintf(to, sizeof to, "tcp://127.0.0.1:%s", ep + 11);
    c = connect_to(to, 0, NULL);
    s = accept_from(lfd, NULL);
    assert_int_equal(zi_tcp_peer_address(s, peer, sizeof peer), 0);
    assert_string_equal(peer, "::ffff:127.0.0.1");
    exchange(c, s);
    close(c);
    close(s);
    close(lfd);
}

/* ---- ipc -------------------------------------------------------------- */

static char testdir[64];

static int ipc_setup(void **state)
{
    snprintf(testdir, sizeof testdir, "/tmp/zinc-ipc-XXXXXX");
    return mkdtemp(testdir) ? 0 : -1;
}

static int ipc_teardown(void **state)
{
    return rmdir(testdir);
}

static int ipc_connect_now(const char *address)
{
    bool pending;
    int c = zi_ipc_connect(address, &pending);
    assert_true(c >= 0);
    if (pending) {
        assert_true(wait_fd(c, POLLOUT));
        assert_int_equal(zi_ipc_connect_result(c), 0);
    }
    return c;
}

static int ipc_accept_now(int lfd)
{
    assert_true(wait_fd(lfd, POLLIN));
    int s = zi_ipc_accept(lfd);
    assert_true(s >= 0);
    return s;
}

static void test_ipc_path_listen_connect_exchange_and_cleanup(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/a.sock", testdir);
    zi_ipc_listener_t l;
    assert_int_equal(zi_ipc_listen(&l, path, 10), 0);
    assert_nonblocking_cloexec(l.fd);
    char want[ZI_ADDR_TEXT_MAX];
    snprintf(want, sizeof want, "ipc://%s", path);
    assert_string_equal(l.endpoint, want);
    errno = 0;
    assert_int_equal(zi_ipc_accept(l.fd), -1);
    assert_int_equal(errno, EAGAIN);
    int c = ipc_connect_now(path);
    int s = ipc_accept_now(l.fd);
    assert_nonblocking_cloexec(c);
    assert_nonblocking_cloexec(s);
    exchange(c, s);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    zi_ipc_listener_close(&l);
    zi_ipc_listener_close(&l); /* idempotent */
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(errno, ENOENT);
    close(c);
    close(s);
}

static void test_ipc_listener_replaces_a_stale_socket_but_not_a_file(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/b.sock", testdir);
    zi_ipc_listener_t a, b;
    assert_int_equal(zi_ipc_listen(&a, path, 10), 0);
    assert_int_equal(zi_ipc_listen(&b, path, 10), 0); /* takes over the path, as libzmq */
    zi_ipc_listener_close(&a);                        /* must not remove b's file */
    int c = ipc_connect_now(path);
    int s = ipc_accept_now(b.fd);
    exchange(c, s);
    close(c);
    close(s);
    zi_ipc_listener_close(&b);
    assert_int_equal(access(path, F_OK), -1);

    int f = open(path, O_CREAT | O_WRONLY, 0600);
    assert_true(f >= 0);
    close(f);
    errno = 0;
    assert_int_equal(zi_ipc_listen(&a, path, 10), -1);
    assert_int_equal(errno, EADDRINUSE);
    assert_int_equal(a.fd, -1);
    assert_int_equal(access(path, F_OK), 0); /* the regular file survives */
    unlink(path);
}

static void test_ipc_abstract_name(void **state)
{
    char name[64];
    snprintf(name, sizeof name, "@zinc-test-%ld", (long)getpid());
    zi_ipc_listener_t l;
    assert_int_equal(zi_ipc_listen(&l, name, 10), 0);
    char want[ZI_ADDR_TEXT_MAX];
    snprintf(want, sizeof want, "ipc://%s", name);
    assert_string_equal(l.endpoint, want);
    int c = ipc_connect_now(name);
    int s = ipc_accept_now(l.fd);
    exchange(c, s);
    close(c);
    close(s);
    zi_ipc_listener_close(&l);
    bool pending;
    errno = 0;
    assert_int_equal(zi_ipc_connect(name, &pending), -1); /* gone with the listener */
    assert_int_equal(errno, ECONNREFUSED);
}

static void test_ipc_wildcard_makes_and_removes_a_private_path(void **state)
{
    zi_ipc_listener_t l;
    assert_int_equal(zi_ipc_listen(&l, "*", 10), 0);
    assert_int_equal(strncmp(l.endpoint, "ipc://", 6), 0);
    const char *path = l.endpoint + 6;
    char dir[ZI_ADDR_TEXT_MAX + 32];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(access(path, F_OK), 0);
    int c = ipc_connect_now(path);
    int s = ipc_accept_now(l.fd);
    exchange(c, s);
    close(c);
    close(s);
    zi_ipc_listener_close(&l);
    assert_int_equal(access(dir, F_OK), -1);
}

static void test_ipc_refuses_paths_longer_than_sun_path(void **state)
{
    char path[200];
    memset(path, 'x', sizeof path);
    path[0] = '/';
    path[ZI_IPC_PATH_MAX + 1] = '\0'; /* 108 octets */
    struct sockaddr_un sa;
    socklen_t len;
    errno = 0;
    assert_int_equal(zi_ipc_sockaddr(path, &sa, &len), -1);
    assert_int_equal(errno, ENAMETOOLONG);
    zi_ipc_listener_t l;
    errno = 0;
    assert_int_equal(zi_ipc_listen(&l, path, 10), -1);
    assert_int_equal(errno, ENAMETOOLONG);
    bool pending;
    errno = 0;
    assert_int_equal(zi_ipc_connect(path, &pending), -1);
    assert_int_equal(errno, ENAMETOOLONG);
    path[ZI_IPC_PATH_MAX] = '\0'; /* 107 octets: fits */
    assert_int_equal(zi_ipc_sockaddr(path, &sa, &len), 0);
    assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + ZI_IPC_PATH_MAX);
    assert_int_equal(zi_ipc_sockaddr("@", &sa, &len), -1);
    assert_int_equal(zi_ipc_sockaddr("", &sa, &len), -1);
}

static void test_ipc_connect_without_listener_fails(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/nobody.sock", testdir);
    bool pending;
    errno = 0;
    assert_int_equal(zi_ipc_connect(path, &pending), -1);
    assert_int_equal(errno, ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_ephemeral_port_connect_accept_exchange),
        cmocka_unit_test(test_tcp_wildcard_bind_reports_any_address),
        cmocka_unit_test(test_tcp_second_listener_on_a_port_in_use_fails),
        cmocka_unit_test(test_tcp_connect_to_a_closed_port_is_refused),
        cmocka_unit_test(test_tcp_applies_keepalive_and_buffer_options),
        cmocka_unit_test(test_tcp_connects_from_a_source_address),
        cmocka_unit_test(test_tcp_ipv6_loopback_and_dual_stack),
        cmocka_unit_test_setup_teardown(test_ipc_path_listen_connect_exchange_and_cleanup,
                                        ipc_setup, ipc_teardown),
        cmocka_unit_test_setup_teardown(test_ipc_listener_replaces_a_stale_socket_but_not_a_file,
                                        ipc_setup, ipc_teardown),
        cmocka_unit_test(test_ipc_abstract_name),
        cmocka_unit_test(test_ipc_wildcard_makes_and_removes_a_private_path),
        cmocka_unit_test(test_ipc_refuses_paths_longer_than_sun_path),
        cmocka_unit_test_setup_teardown(test_ipc_connect_without_listener_fails, ipc_setup,
                                        ipc_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
