/* Endpoint parsing, tcp resolution, last_endpoint formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport/endpoint.h"

static zi_endpoint_t ep;

static void parses(const char *uri, zi_ep_mode_t mode)
{
    if (zi_endpoint_parse(uri, mode, &ep) != 0)
        fail_msg("%s: %s", uri, strerror(errno));
}

static void refuses(const char *uri, zi_ep_mode_t mode, int eno)
{
    errno = 0;
    if (zi_endpoint_parse(uri, mode, &ep) != -1)
        fail_msg("%s: accepted", uri);
    if (errno != eno)
        fail_msg("%s: errno %d, want %d", uri, errno, eno);
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

/* ---- parsing ---------------------------------------------------------- */

static void test_endpoint_parses_tcp_host_and_port(void **state)
{
    parses("tcp://127.0.0.1:5555", ZI_EP_CONNECT);
    assert_int_equal(ep.transport, ZI_TRANSPORT_TCP);
    assert_string_equal(ep.tcp.host, "127.0.0.1");
    assert_int_equal(ep.tcp.port, 5555);
    assert_false(ep.has_source);
    assert_string_equal(ep.address, "127.0.0.1:5555");
    parses("tcp://example.org:65535", ZI_EP_CONNECT);
    assert_string_equal(ep.tcp.host, "example.org");
    assert_int_equal(ep.tcp.port, 65535);
    parses("tcp://eth0:1", ZI_EP_BIND);
    assert_string_equal(ep.tcp.host, "eth0");
}

static void test_endpoint_parses_ipv6_literals_with_or_without_brackets(void **state)
{
    parses("tcp://[::1]:5555", ZI_EP_CONNECT);
    assert_string_equal(ep.tcp.host, "::1");
    assert_int_equal(ep.tcp.port, 5555);
    parses("tcp://::1:5556", ZI_EP_CONNECT); /* libzmq splits at the last colon */
    assert_string_equal(ep.tcp.host, "::1");
    assert_int_equal(ep.tcp.port, 5556);
    parses("tcp://[fe80::1%lo]:7", ZI_EP_CONNECT);
    assert_string_equal(ep.tcp.host, "fe80::1%lo");
    parses("tcp://[::]:*", ZI_EP_BIND);
    assert_string_equal(ep.tcp.host, "::");
    assert_int_equal(ep.tcp.port, 0);
}

static void test_endpoint_wildcards_are_for_bind_only(void **state)
{
    parses("tcp://*:5555", ZI_EP_BIND);
    assert_string_equal(ep.tcp.host, "*");
    assert_int_equal(ep.tcp.port, 5555);
    parses("tcp://*:*", ZI_EP_BIND);
    assert_int_equal(ep.tcp.port, 0);
    parses("tcp://127.0.0.1:0", ZI_EP_BIND);
    assert_int_equal(ep.tcp.port, 0);
    refuses("tcp://*:5555", ZI_EP_CONNECT, EINVAL);
    refuses("tcp://127.0.0.1:*", ZI_EP_CONNECT, EINVAL);
    refuses("tcp://127.0.0.1:0", ZI_EP_CONNECT, EINVAL);
    refuses("ipc://*", ZI_EP_CONNECT, EINVAL);
}

static void test_endpoint_refuses_malformed_tcp_addresses(void **state)
{
    const char *bad[] = {
        "tcp://127.0.0.1", "tcp://127.0.0.1:",  "tcp://:5555", "tcp://a:99999",
        "tcp://a:65536",   "tcp://a:-1",        "tcp://a:+1",  "tcp://a:12x",
        "tcp://a:123456",  "tcp://[::1:5555",   "tcp://[]:1",  "tcp://a b:1",
        "tcp://a/b:1",     "tcp://a:1/",        "tcp://**:1",  "tcp://;a:1",
        "tcp://a:1;",      "tcp://a:1;b:2;c:3",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        refuses(bad[i], ZI_EP_CONNECT, EINVAL);
}

static void test_endpoint_refuses_missing_scheme_or_address(void **state)
{
    refuses("tcp://", ZI_EP_CONNECT, EINVAL);
    refuses("tcp:/a:1", ZI_EP_CONNECT, EINVAL);
    refuses("://a:1", ZI_EP_CONNECT, EINVAL);
    refuses("127.0.0.1:5555", ZI_EP_CONNECT, EINVAL);
    refuses("", ZI_EP_BIND, EINVAL);
    refuses("inproc://", ZI_EP_BIND, EINVAL);
    assert_int_equal(zi_endpoint_parse(NULL, ZI_EP_BIND, &ep), -1);
}

static void test_endpoint_refuses_unknown_schemes(void **state)
{
    refuses("udp://127.0.0.1:5555", ZI_EP_CONNECT, EPROTONOSUPPORT);
    refuses("pgm://eth0;239.192.1.1:5555", ZI_EP_CONNECT, EPROTONOSUPPORT);
    refuses("ws://a:1", ZI_EP_BIND, EPROTONOSUPPORT);
    refuses("TCP://a:1", ZI_EP_CONNECT, EPROTONOSUPPORT); /* case matters, as in libzmq */
    refuses("tcpx://a:1", ZI_EP_CONNECT, EPROTONOSUPPORT);
}

static void test_endpoint_parses_a_source_address_for_connect(void **state)
{
    parses("tcp://127.0.0.1:0;127.0.0.1:5555", ZI_EP_CONNECT);
    assert_true(ep.has_source);
    assert_string_equal(ep.source.host, "127.0.0.1");
    assert_int_equal(ep.source.port, 0);
    assert_string_equal(ep.tcp.host, "127.0.0.1");
    assert_int_equal(ep.tcp.port, 5555);
    parses("tcp://*:*;[::1]:7", ZI_EP_CONNECT);
    assert_string_equal(ep.source.host, "*");
    assert_string_equal(ep.tcp.host, "::1");
    parses("tcp://eth0:4000;host:7", ZI_EP_CONNECT);
    assert_string_equal(ep.source.host, "eth0");
    assert_int_equal(ep.source.port, 4000);
    refuses("tcp://127.0.0.1:0;127.0.0.1:5555", ZI_EP_BIND, EINVAL);
    refuses("tcp://127.0.0.1:0;*:5555", ZI_EP_CONNECT, EINVAL);
}

static void test_endpoint_parses_ipc_paths_and_abstract_names(void **state)
{
    parses("ipc:///tmp/zinc.sock", ZI_EP_BIND);
    assert_int_equal(ep.transport, ZI_TRANSPORT_IPC);
    assert_string_equal(ep.address, "/tmp/zinc.sock");
    assert_false(ep.abstract);
    parses("ipc://relative.sock", ZI_EP_CONNECT);
    assert_string_equal(ep.address, "relative.sock");
    parses("ipc://@zinc-abstract", ZI_EP_CONNECT);
    assert_true(ep.abstract);
    assert_string_equal(ep.address, "@zinc-abstract");
    parses("ipc://*", ZI_EP_BIND);
    assert_true(ep.ipc_any);
    refuses("ipc://@", ZI_EP_BIND, EINVAL);
}

static void test_endpoint_refuses_ipc_paths_longer_than_sun_path(void **state)
{
    char uri[256] = "ipc:///";
    memset(uri + 7, 'p', ZI_IPC_PATH_MAX - 1); /* "/" + 106 = 107 octets: fits */
    parses(uri, ZI_EP_BIND);
    assert_int_equal(strlen(ep.address), 107);
    uri[7 + ZI_IPC_PATH_MAX - 1] = 'p'; /* 108 */
    refuses(uri, ZI_EP_BIND, ENAMETOOLONG);
    char abs[256] = "ipc://@";
    memset(abs + 7, 'a', ZI_IPC_PATH_MAX - 1);
    parses(abs, ZI_EP_CONNECT);
    abs[7 + ZI_IPC_PATH_MAX - 1] = 'a';
    refuses(abs, ZI_EP_CONNECT, ENAMETOOLONG);
}

static void test_endpoint_parses_inproc_names(void **state)
{
    parses("inproc://a-name with spaces:and;colons", ZI_EP_BIND);
    assert_int_equal(ep.transport, ZI_TRANSPORT_INPROC);
    assert_string_equal(ep.address, "a-name with spaces:and;colons");
    static char uri[ZI_ENDPOINT_MAX + 16] = "inproc://";
    memset(uri + 9, 'n', ZI_ENDPOINT_MAX);
    parses(uri, ZI_EP_CONNECT);
    uri[9 + ZI_ENDPOINT_MAX] = 'n';
    refuses(uri, ZI_EP_CONNECT, EINVAL);
}

/* ---- resolution ------------------------------------------------------- */

static void resolve_text(const char *host, uint16_t port, int flags, char *out)
{
    zi_hostport_t hp = {.port = port};
    snprintf(hp.host, sizeof hp.host, "%s", host);
    struct sockaddr_storage ss;
    socklen_t len;
    if (zi_tcp_resolve(&hp, flags, &ss, &len) != 0)
        fail_msg("resolve %s: %s", host, strerror(errno));
    assert_int_equal(zi_endpoint_format((struct sockaddr *)&ss, len, out, ZI_ADDR_TEXT_MAX), 0);
}

static int resolve_errno(const char *host, int flags)
{
    zi_hostport_t hp = {.port = 1};
    snprintf(hp.host, sizeof hp.host, "%s", host);
    struct sockaddr_storage ss;
    socklen_t len;
    errno = 0;
    assert_int_equal(zi_tcp_resolve(&hp, flags, &ss, &len), -1);
    return errno;
}

static void test_endpoint_resolves_bind_wildcards_and_literals(void **state)
{
    char s[ZI_ADDR_TEXT_MAX];
    resolve_text("*", 5555, ZI_RESOLVE_BIND, s);
    assert_string_equal(s, "tcp://0.0.0.0:5555");
    resolve_text("*", 0, ZI_RESOLVE_BIND | ZI_RESOLVE_IPV6, s);
    assert_string_equal(s, "tcp://[::]:0");
    resolve_text("127.0.0.1", 80, ZI_RESOLVE_BIND, s);
    assert_string_equal(s, "tcp://127.0.0.1:80");
    resolve_text("127.0.0.1", 80, ZI_RESOLVE_BIND | ZI_RESOLVE_IPV6, s);
    assert_string_equal(s, "tcp://[::ffff:127.0.0.1]:80"); /* v4-mapped, as libzmq */
    resolve_text("lo", 81, ZI_RESOLVE_BIND, s);            /* interface name */
    assert_string_equal(s, "tcp://127.0.0.1:81");
}

static void test_endpoint_bind_never_uses_dns(void **state)
{
    assert_int_equal(resolve_errno("localhost", ZI_RESOLVE_BIND), ENODEV);
    assert_int_equal(resolve_errno("no-such-nic0", ZI_RESOLVE_BIND), ENODEV);
    assert_int_equal(resolve_errno("::1", ZI_RESOLVE_BIND), ENODEV); /* ipv6 off */
}

static void test_endpoint_connect_resolves_names_and_honours_ipv6(void **state)
{
    char s[ZI_ADDR_TEXT_MAX];
    resolve_text("localhost", 5555, 0, s);
    assert_string_equal(s, "tcp://127.0.0.1:5555");
    resolve_text("10.1.2.3", 1, 0, s);
    assert_string_equal(s, "tcp://10.1.2.3:1");
    /* With ipv6 off, an IPv6 literal does not resolve. */
    assert_int_equal(resolve_errno("::1", 0), EINVAL);
    assert_int_equal(resolve_errno("*", 0), EINVAL);
    assert_int_equal(resolve_errno("no-such-host.invalid", 0), EINVAL);
    resolve_text("::1", 9, ZI_RESOLVE_IPV6, s);
    assert_string_equal(s, "tcp://[::1]:9");
    resolve_text("10.1.2.3", 9, ZI_RESOLVE_IPV6, s);
    assert_string_equal(s, "tcp://[::ffff:10.1.2.3]:9");
    if (have_ipv6()) {
        resolve_text("lo", 5, ZI_RESOLVE_BIND | ZI_RESOLVE_IPV6, s);
        assert_string_equal(s, "tcp://[::1]:5");
    }
}

/* ---- formatting ------------------------------------------------------- */

static void test_endpoint_formats_addresses_as_last_endpoint(void **state)
{
    char s[ZI_ADDR_TEXT_MAX];
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(45123)};
    inet_pton(AF_INET, "127.0.0.1", &a4.sin_addr);
    assert_int_equal(zi_endpoint_format((struct sockaddr *)&a4, sizeof a4, s, sizeof s), 0);
    assert_string_equal(s, "tcp://127.0.0.1:45123");
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(45123)};
    inet_pton(AF_INET6, "::1", &a6.sin6_addr);
    assert_int_equal(zi_endpoint_format((struct sockaddr *)&a6, sizeof a6, s, sizeof s), 0);
    assert_string_equal(s, "tcp://[::1]:45123");
    assert_int_equal(zi_sockaddr_ip((struct sockaddr *)&a6, sizeof a6, s, sizeof s), 0);
    assert_string_equal(s, "::1");
    assert_int_equal(zi_sockaddr_ip((struct sockaddr *)&a4, sizeof a4, s, sizeof s), 0);
    assert_string_equal(s, "127.0.0.1");

    struct sockaddr_un un = {.sun_family = AF_UNIX};
    memcpy(un.sun_path, "/tmp/x", 6);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 7);
    assert_int_equal(zi_endpoint_format((struct sockaddr *)&un, len, s, sizeof s), 0);
    assert_string_equal(s, "ipc:///tmp/x");
    memcpy(un.sun_path, "\0name", 5);
    len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 5);
    assert_int_equal(zi_endpoint_format((struct sockaddr *)&un, len, s, sizeof s), 0);
    assert_string_equal(s, "ipc://@name");
    errno = 0;
    assert_int_equal(zi_sockaddr_ip((struct sockaddr *)&un, len, s, sizeof s), -1);
    assert_int_equal(errno, EAFNOSUPPORT);
}

static void test_endpoint_format_refuses_a_short_buffer(void **state)
{
    char s[12];
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(45123)};
    errno = 0;
    assert_int_equal(zi_endpoint_format((struct sockaddr *)&a4, sizeof a4, s, sizeof s), -1);
    assert_int_equal(errno, ENOBUFS);
    struct sockaddr sa = {.sa_family = AF_UNSPEC};
    errno = 0;
    assert_int_equal(zi_endpoint_format(&sa, sizeof sa, s, sizeof s), -1);
    assert_int_equal(errno, EAFNOSUPPORT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoint_parses_tcp_host_and_port),
        cmocka_unit_test(test_endpoint_parses_ipv6_literals_with_or_without_brackets),
        cmocka_unit_test(test_endpoint_wildcards_are_for_bind_only),
        cmocka_unit_test(test_endpoint_refuses_malformed_tcp_addresses),
        cmocka_unit_test(test_endpoint_refuses_missing_scheme_or_address),
        cmocka_unit_test(test_endpoint_refuses_unknown_schemes),
        cmocka_unit_test(test_endpoint_parses_a_source_address_for_connect),
        cmocka_unit_test(test_endpoint_parses_ipc_paths_and_abstract_names),
        cmocka_unit_test(test_endpoint_refuses_ipc_paths_longer_than_sun_path),
        cmocka_unit_test(test_endpoint_parses_inproc_names),
        cmocka_unit_test(test_endpoint_resolves_bind_wildcards_and_literals),
        cmocka_unit_test(test_endpoint_bind_never_uses_dns),
        cmocka_unit_test(test_endpoint_connect_resolves_names_and_honours_ipv6),
        cmocka_unit_test(test_endpoint_formats_addresses_as_last_endpoint),
        cmocka_unit_test(test_endpoint_format_refuses_a_short_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
