/* The socket option table: one row per option, indexed by zi_opt_index.
 *
 * Defaults are libzmq 4.3.4's (tests/test_option_defaults.c checks them
 * against a live libzmq through pyzmq). "Applies to" follows libzmq: an option
 * handled by a socket type's own code (router_mandatory, xpub_*, req_*...) is
 * accepted by those types only, narrowed to the types libzmq's documentation
 * names where the option has no effect elsewhere (conflate, invert_matching,
 * hello_msg...). The `.implemented` flag is the one place that says whether
 * zinc does what the option asks; flip it when the behaviour lands.
 */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/options.h"

/* routing_id, connect_routing_id: libzmq's manual says ids starting with a
 * zero octet are reserved for the ones a ROUTER generates (0x00 + a 32-bit
 * counter); zinc refuses them so that they can never collide. */
static int table_check_routing_id(const zi_option_t *opt, const zi_optval_t *val)
{
    if (val->len > 0 && val->data[0] == 0)
        return zi_fail(EINVAL, "%s: a first octet 0 is reserved for the ids a ROUTER generates",
                       opt->name);
    return 0;
}

/* metadata: "X-key:value", key of at most 255 characters, value not empty. */
static int table_check_metadata(const zi_option_t *opt, const zi_optval_t *val)
{
    const uint8_t *colon = val->len ? memchr(val->data, ':', val->len) : NULL;
    size_t key_len = colon ? (size_t)(colon - val->data) : 0;
    if (!colon || key_len < 3 || key_len == val->len - 1 || key_len > 255 ||
        (val->data[0] != 'X' && val->data[0] != 'x') || val->data[1] != '-')
        return zi_fail(EINVAL, "%s: expected \"X-key:value\" (key up to 255 characters)",
                       opt->name);
    return 0;
}

/* clang-format off */
#define ALL ZI_ST_ALL
#define T(x) ZI_ST(ZINC_##x)
#define IMAX INT32_MAX

#define INT_(n, i, dt, d, lo, hi) .name = n, .id = i, .type = ZINC_OPT_INT, \
    .def_text = dt, .def = d, .min = lo, .max = hi
#define I64_(n, i, dt, d, lo, hi) .name = n, .id = i, .type = ZINC_OPT_INT64, \
    .def_text = dt, .def = d, .min = lo, .max = hi
#define U64_(n, i, dt, d) .name = n, .id = i, .type = ZINC_OPT_UINT64, \
    .def_text = dt, .def = d, .min = 0, .max = INT64_MAX
#define BOOL0(n, i) .name = n, .id = i, .type = ZINC_OPT_BOOL, \
    .def_text = "0", .def = 0, .min = 0, .max = 1
#define BOOL1(n, i) .name = n, .id = i, .type = ZINC_OPT_BOOL, \
    .def_text = "1", .def = 1, .min = 0, .max = 1
#define BYTES_(n, i, lo, hi) .name = n, .id = i, .type = ZINC_OPT_BYTES, \
    .def_text = "", .min = lo, .max = hi
#define STR_(n, i, lo, hi) .name = n, .id = i, .type = ZINC_OPT_STRING, \
    .def_text = "", .min = lo, .max = hi
#define KEY_(n, i) .name = n, .id = i, .type = ZINC_OPT_CURVE_KEY, \
    .def_text = "0000000000000000000000000000000000000000", \
    .min = ZI_CURVE_KEY_LEN, .max = ZI_CURVE_KEY_LEN

#define RW .access = ZINC_OPT_RW
#define RO .access = ZINC_OPT_READ
#define WO .access = ZINC_OPT_WRITE
#define NOW .effect = ZINC_OPT_IMMEDIATE
#define BIND .effect = ZINC_OPT_NEXT_BIND_CONNECT
#define CONN .effect = ZINC_OPT_NEXT_CONNECTION
#define STABLE .status = ZINC_OPT_STABLE
#define DEPR .status = ZINC_OPT_DEPRECATED
#define DRAFT .status = ZINC_OPT_DRAFT
#define ZINC .status = ZINC_OPT_ZINC
#define YES .implemented = true
#define NO .implemented = false
#define LIVE .flags = ZI_OPTF_LIVE
#define ACTION .flags = ZI_OPTF_ACTION

/* Types whose libzmq socket is thread-safe (the draft ones but DGRAM). */
#define THREAD_SAFE_TYPES (T(SERVER) | T(CLIENT) | T(RADIO) | T(DISH) | T(GATHER) | \
                           T(SCATTER) | T(PEER) | T(CHANNEL))

const zi_option_t zi_option_table[ZI_OPT_COUNT] = {
    [ZI_OPT_AFFINITY] = {U64_("affinity", 4, "0", 0), RW, .types = ALL, BIND, STABLE, YES,
        .doc = "I/O thread bitmap for new connections (0: any thread)"},
    [ZI_OPT_ROUTING_ID] = {BYTES_("routing_id", 5, 1, 255), RW, .types = ALL, BIND, STABLE, YES,
        .aliases = "identity", .check = table_check_routing_id,
        .doc = "Id announced to peers in the handshake: 1-255 octets, first octet not 0"},
    [ZI_OPT_SUBSCRIBE] = {BYTES_("subscribe", 6, 0, ZI_LEN_ANY), WO, .types = T(SUB) | T(XPUB),
        NOW, STABLE, YES, ACTION,
        .doc = "Adds a message prefix filter (\"\": everything); on XPUB with xpub_manual"},
    [ZI_OPT_UNSUBSCRIBE] = {BYTES_("unsubscribe", 7, 0, ZI_LEN_ANY), WO,
        .types = T(SUB) | T(XPUB), NOW, STABLE, YES, ACTION,
        .doc = "Removes one instance of a prefix filter"},
    [ZI_OPT_RATE] = {INT_("rate", 8, "100", 100, 1, IMAX), RW, .types = ALL, BIND, STABLE, NO,
        .doc = "Multicast data rate, kbit/s"},
    [ZI_OPT_RECOVERY_IVL] = {INT_("recovery_ivl", 9, "10000", 10000, 0, IMAX), RW, .types = ALL,
        BIND, STABLE, NO, .doc = "Multicast recovery interval, ms"},
    [ZI_OPT_SNDBUF] = {INT_("sndbuf", 11, "-1", -1, -1, IMAX), RW, .types = ALL, BIND, STABLE,
        YES, .doc = "Kernel send buffer size, octets (-1: the OS's)"},
    [ZI_OPT_RCVBUF] = {INT_("rcvbuf", 12, "-1", -1, -1, IMAX), RW, .types = ALL, BIND, STABLE,
        YES, .doc = "Kernel receive buffer size, octets (-1: the OS's)"},
    [ZI_OPT_RCVMORE] = {BOOL0("rcvmore", 13), RO, .types = ALL, NOW, STABLE, YES, LIVE,
        .doc = "1 when the frame last received has more frames after it"},
    [ZI_OPT_FD] = {INT_("fd", 14, "-1", -1, -1, IMAX), RO, .types = ALL, NOW, STABLE, YES, LIVE,
        .doc = "Readiness file descriptor for external event loops (see events)"},
    [ZI_OPT_EVENTS] = {INT_("events", 15, "0", 0, 0, IMAX), RO, .types = ALL, NOW, STABLE, YES,
        LIVE, .doc = "POLLIN/POLLOUT bits the socket is ready for now"},
    [ZI_OPT_TYPE] = {INT_("type", 16, "(socket type)", 0, 0, ZI_SOCKTYPE_MAX), RO,
        .types = ALL, NOW, STABLE, YES, .flags = ZI_OPTF_SOCKTYPE,
        .doc = "The socket's type (libzmq's number)"},
    [ZI_OPT_LINGER] = {INT_("linger", 17, "-1", -1, -1, IMAX), RW, .types = ALL, NOW, STABLE,
        YES, .alt_types = T(SUB) | T(XSUB) | T(DISH), .alt_def = 0,
        .doc = "How long unsent messages wait after close or disconnect, ms (-1: forever)"},
    [ZI_OPT_RECONNECT_IVL] = {INT_("reconnect_ivl", 18, "100", 100, -1, IMAX), RW, .types = ALL,
        BIND, STABLE, YES, .doc = "First reconnect interval, ms (-1: no reconnection)"},
    [ZI_OPT_BACKLOG] = {INT_("backlog", 19, "100", 100, 0, IMAX), RW, .types = ALL, BIND,
        STABLE, YES, .doc = "Listen queue length for pending connections"},
    [ZI_OPT_RECONNECT_IVL_MAX] = {INT_("reconnect_ivl_max", 21, "0", 0, 0, IMAX), RW,
        .types = ALL, BIND, STABLE, YES,
        .doc = "Reconnect back-off ceiling, ms (0: no back-off, only reconnect_ivl)"},
    [ZI_OPT_MAXMSGSIZE] = {I64_("maxmsgsize", 22, "-1", -1, -1, INT64_MAX), RW, .types = ALL,
        BIND, STABLE, YES,
        .doc = "Largest inbound message, octets; a larger one ends the connection (-1: none; "
                "STREAM: no effect, as libzmq)"},
    [ZI_OPT_SNDHWM] = {INT_("sndhwm", 23, "1000", 1000, 0, IMAX), RW, .types = ALL, NOW, STABLE,
        YES, .doc = "Outbound queue limit per peer, messages (0: no limit)"},
    [ZI_OPT_RCVHWM] = {INT_("rcvhwm", 24, "1000", 1000, 0, IMAX), RW, .types = ALL, NOW, STABLE,
        YES, .doc = "Inbound queue limit per peer, messages (0: no limit)"},
    [ZI_OPT_MULTICAST_HOPS] = {INT_("multicast_hops", 25, "1", 1, 1, IMAX), RW, .types = ALL,
        BIND, STABLE, NO, .doc = "Multicast time-to-live, network hops"},
    [ZI_OPT_RCVTIMEO] = {INT_("rcvtimeo", 27, "-1", -1, -1, IMAX), RW, .types = ALL, NOW, STABLE,
        YES, .doc = "Receive timeout, ms (-1: wait forever, 0: never wait)"},
    [ZI_OPT_SNDTIMEO] = {INT_("sndtimeo", 28, "-1", -1, -1, IMAX), RW, .types = ALL, NOW, STABLE,
        YES, .doc = "Send timeout, ms (-1: wait forever, 0: never wait)"},
    [ZI_OPT_IPV4ONLY] = {BOOL1("ipv4only", 31), RW, .types = ALL, BIND, DEPR, NO,
        .doc = "Deprecated: the inverse of ipv6"},
    [ZI_OPT_LAST_ENDPOINT] = {STR_("last_endpoint", 32, 0, ZI_LEN_ANY), RO, .types = ALL, NOW,
        STABLE, YES, LIVE, .doc = "Endpoint of the last bind or connect, with the port resolved"},
    [ZI_OPT_ROUTER_MANDATORY] = {BOOL0("router_mandatory", 33), WO, .types = T(ROUTER), NOW,
        STABLE, YES, .aliases = "fail_unroutable,router_behavior",
        .doc = "Unroutable messages fail (EHOSTUNREACH) instead of being dropped"},
    [ZI_OPT_TCP_KEEPALIVE] = {INT_("tcp_keepalive", 34, "-1", -1, -1, 1), RW, .types = ALL, BIND,
        STABLE, YES, .doc = "SO_KEEPALIVE: 1 on, 0 off, -1 the OS's default"},
    [ZI_OPT_TCP_KEEPALIVE_CNT] = {INT_("tcp_keepalive_cnt", 35, "-1", -1, -1, IMAX), RW,
        .types = ALL, BIND, STABLE, YES, .doc = "TCP_KEEPCNT (-1: the OS's default)"},
    [ZI_OPT_TCP_KEEPALIVE_IDLE] = {INT_("tcp_keepalive_idle", 36, "-1", -1, -1, IMAX), RW,
        .types = ALL, BIND, STABLE, YES, .doc = "TCP_KEEPIDLE, s (-1: the OS's default)"},
    [ZI_OPT_TCP_KEEPALIVE_INTVL] = {INT_("tcp_keepalive_intvl", 37, "-1", -1, -1, IMAX), RW,
        .types = ALL, BIND, STABLE, YES, .doc = "TCP_KEEPINTVL, s (-1: the OS's default)"},
    [ZI_OPT_TCP_ACCEPT_FILTER] = {STR_("tcp_accept_filter", 38, 0, 255), WO, .types = ALL, BIND,
        DEPR, NO, ACTION, .doc = "Deprecated: adds an accepted peer address/CIDR (\"\": clear)"},
    [ZI_OPT_IMMEDIATE] = {BOOL0("immediate", 39), RW, .types = ALL, BIND, STABLE, YES,
        .aliases = "delay_attach_on_connect",
        .doc = "Queue messages only to completed connections"},
    [ZI_OPT_XPUB_VERBOSE] = {BOOL0("xpub_verbose", 40), WO, .types = T(XPUB), NOW, STABLE, YES,
        .doc = "Pass every subscribe message up, not only new ones"},
    [ZI_OPT_ROUTER_RAW] = {BOOL0("router_raw", 41), WO, .types = T(ROUTER), BIND, STABLE, NO,
        .doc = "Raw TCP on a ROUTER, without ZMTP (libzmq: use STREAM instead)"},
    [ZI_OPT_IPV6] = {BOOL0("ipv6", 42), RW, .types = ALL, BIND, STABLE, YES,
        .doc = "Use IPv6 as well as IPv4"},
    [ZI_OPT_MECHANISM] = {INT_("mechanism", 43, "0", 0, 0, 3), RO, .types = ALL, BIND, STABLE,
        YES, .doc = "Security mechanism the options select: 0 NULL, 1 PLAIN, 2 CURVE, 3 GSSAPI"},
    [ZI_OPT_PLAIN_SERVER] = {BOOL0("plain_server", 44), RW, .types = ALL, BIND, STABLE, YES,
        .doc = "Act as PLAIN server (0 resets security to NULL)"},
    [ZI_OPT_PLAIN_USERNAME] = {STR_("plain_username", 45, 0, 255), RW, .types = ALL, BIND,
        STABLE, YES, .doc = "PLAIN client user name (selects PLAIN; \"\" resets to NULL)"},
    [ZI_OPT_PLAIN_PASSWORD] = {STR_("plain_password", 46, 0, 255), RW, .types = ALL, BIND,
        STABLE, YES, .doc = "PLAIN client password (selects PLAIN; \"\" resets to NULL)"},
    [ZI_OPT_CURVE_SERVER] = {BOOL0("curve_server", 47), RW, .types = ALL, BIND, STABLE, YES,
        .doc = "Act as CURVE server (0 resets security to NULL)"},
    [ZI_OPT_CURVE_PUBLICKEY] = {KEY_("curve_publickey", 48), RW, .types = ALL, BIND, STABLE, YES,
        .doc = "Long-term public key (selects CURVE)"},
    [ZI_OPT_CURVE_SECRETKEY] = {KEY_("curve_secretkey", 49), RW, .types = ALL, BIND, STABLE, YES,
        .doc = "Long-term secret key (selects CURVE)"},
    [ZI_OPT_CURVE_SERVERKEY] = {KEY_("curve_serverkey", 50), RW, .types = ALL, BIND, STABLE, YES,
        .doc = "Server's public key, for a CURVE client"},
    [ZI_OPT_PROBE_ROUTER] = {BOOL0("probe_router", 51), WO,
        .types = T(ROUTER) | T(DEALER) | T(REQ), CONN, STABLE, YES,
        .doc = "Send an empty message to each new connection"},
    [ZI_OPT_REQ_CORRELATE] = {BOOL0("req_correlate", 52), WO, .types = T(REQ), NOW, STABLE, YES,
        .doc = "Prefix requests with an id and drop replies that do not match"},
    [ZI_OPT_REQ_RELAXED] = {BOOL0("req_relaxed", 53), WO, .types = T(REQ), NOW, STABLE, YES,
        .doc = "Allow a new request before the reply to the last one"},
    [ZI_OPT_CONFLATE] = {BOOL0("conflate", 54), RW,
        .types = T(PULL) | T(PUSH) | T(SUB) | T(PUB) | T(DEALER), BIND, STABLE, YES,
        .doc = "Keep only the last message in each queue (single-frame messages)"},
    [ZI_OPT_ZAP_DOMAIN] = {STR_("zap_domain", 55, 0, 255), RW, .types = ALL, BIND, STABLE, YES,
        .doc = "ZAP (RFC 27) authentication domain"},
    [ZI_OPT_ROUTER_HANDOVER] = {BOOL0("router_handover", 56), WO, .types = T(ROUTER), NOW,
        STABLE, YES, .doc = "A new peer with a routing id in use takes over from the old one"},
    [ZI_OPT_TOS] = {INT_("tos", 57, "0", 0, 0, IMAX), RW, .types = ALL, BIND, STABLE, NO,
        .doc = "IP type-of-service (DSCP and ECN) of outgoing packets"},
    [ZI_OPT_IPC_FILTER_PID] = {INT_("ipc_filter_pid", 58, "", 0, 0, IMAX), WO, .types = ALL,
        BIND, DEPR, NO, ACTION, .doc = "Deprecated: adds an accepted IPC peer process id"},
    [ZI_OPT_IPC_FILTER_UID] = {INT_("ipc_filter_uid", 59, "", 0, 0, IMAX), WO, .types = ALL,
        BIND, DEPR, NO, ACTION, .doc = "Deprecated: adds an accepted IPC peer user id"},
    [ZI_OPT_IPC_FILTER_GID] = {INT_("ipc_filter_gid", 60, "", 0, 0, IMAX), WO, .types = ALL,
        BIND, DEPR, NO, ACTION, .doc = "Deprecated: adds an accepted IPC peer group id"},
    [ZI_OPT_CONNECT_ROUTING_ID] = {BYTES_("connect_routing_id", 61, 1, 255), WO,
        .types = T(ROUTER) | T(STREAM), BIND, STABLE, YES, .aliases = "connect_rid",
        .check = table_check_routing_id,
        .doc = "Routing id for the peer of the next connect (one use)"},
    [ZI_OPT_GSSAPI_SERVER] = {BOOL0("gssapi_server", 62), RW, .types = ALL, BIND, STABLE, NO,
        .doc = "Act as GSSAPI server"},
    [ZI_OPT_GSSAPI_PRINCIPAL] = {STR_("gssapi_principal", 63, 1, 255), RW, .types = ALL, BIND,
        STABLE, NO, .doc = "GSSAPI principal to acquire credentials for"},
    [ZI_OPT_GSSAPI_SERVICE_PRINCIPAL] = {STR_("gssapi_service_principal", 64, 1, 255), RW,
        .types = ALL, BIND, STABLE, NO, .doc = "GSSAPI server principal a client connects to"},
    [ZI_OPT_GSSAPI_PLAINTEXT] = {BOOL0("gssapi_plaintext", 65), RW, .types = ALL, BIND, STABLE,
        NO, .doc = "GSSAPI without encryption"},
    [ZI_OPT_HANDSHAKE_IVL] = {INT_("handshake_ivl", 66, "30000", 30000, 0, IMAX), RW,
        .types = ALL & ~T(STREAM), BIND, STABLE, YES,
        .doc = "Longest ZMTP handshake before the connection is closed, ms (0: no limit)"},
    [ZI_OPT_SOCKS_PROXY] = {STR_("socks_proxy", 68, 0, ZI_LEN_ANY), RW, .types = ALL, BIND,
        STABLE, NO, .doc = "SOCKS5 proxy host:port for TCP connections"},
    [ZI_OPT_XPUB_NODROP] = {BOOL0("xpub_nodrop", 69), WO, .types = T(PUB) | T(XPUB) | T(RADIO),
        NOW, STABLE, YES, .doc = "At the HWM, fail with EAGAIN instead of dropping"},
    [ZI_OPT_BLOCKY] = {BOOL1("blocky", 70), RW, .types = 0, NOW, STABLE, NO,
        .doc = "A context option (zinc_ctx_set), not a socket option"},
    [ZI_OPT_XPUB_MANUAL] = {BOOL0("xpub_manual", 71), WO, .types = T(XPUB), NOW, STABLE, YES,
        .doc = "Subscriptions are applied by the application (subscribe on the XPUB)"},
    [ZI_OPT_XPUB_WELCOME_MSG] = {BYTES_("xpub_welcome_msg", 72, 0, ZI_LEN_ANY), WO,
        .types = T(XPUB), CONN, STABLE, YES, .doc = "Message sent to each new subscriber"},
    [ZI_OPT_STREAM_NOTIFY] = {BOOL1("stream_notify", 73), WO, .types = T(STREAM), CONN, STABLE,
        YES, .doc = "Deliver an empty message when a peer connects or disconnects"},
    [ZI_OPT_INVERT_MATCHING] = {BOOL0("invert_matching", 74), RW,
        .types = T(PUB) | T(XPUB) | T(SUB), NOW, STABLE, YES,
        .doc = "Deliver what does not match the subscriptions"},
    [ZI_OPT_HEARTBEAT_IVL] = {INT_("heartbeat_ivl", 75, "0", 0, 0, IMAX), RW, .types = ALL, BIND,
        STABLE, YES, .doc = "Interval between ZMTP PINGs, ms (0: no heartbeats; STREAM: none)"},
    [ZI_OPT_HEARTBEAT_TTL] = {INT_("heartbeat_ttl", 76, "0", 0, 0, 6553599), RW, .types = ALL,
        BIND, STABLE, YES, .doc = "TTL announced in each PING, ms (sent in deciseconds)"},
    [ZI_OPT_HEARTBEAT_TIMEOUT] = {INT_("heartbeat_timeout", 77, "-1", -1, -1, IMAX), RW,
        .types = ALL, BIND, STABLE, YES,
        .doc = "Silence after a PING that ends the connection, ms (-1: heartbeat_ivl)"},
    [ZI_OPT_XPUB_VERBOSER] = {BOOL0("xpub_verboser", 78), WO, .types = T(XPUB), NOW, STABLE, YES,
        .doc = "Pass every subscribe and unsubscribe message up"},
    [ZI_OPT_CONNECT_TIMEOUT] = {INT_("connect_timeout", 79, "0", 0, 0, IMAX), RW, .types = ALL,
        BIND, STABLE, NO, .doc = "TCP connect() timeout, ms (0: the OS's)"},
    [ZI_OPT_TCP_MAXRT] = {INT_("tcp_maxrt", 80, "0", 0, 0, IMAX), RW, .types = ALL, BIND, STABLE,
        NO, .doc = "TCP retransmission timeout, ms (0: the OS's)"},
    [ZI_OPT_THREAD_SAFE] = {BOOL0("thread_safe", 81), RO, .types = ALL, NOW, STABLE, NO,
        .alt_types = THREAD_SAFE_TYPES, .alt_def = 1,
        .doc = "1 when the socket may be used from several threads at once"},
    [ZI_OPT_MULTICAST_MAXTPDU] = {INT_("multicast_maxtpdu", 84, "1500", 1500, 1, IMAX), RW,
        .types = ALL, BIND, STABLE, NO, .doc = "Largest multicast transport data unit, octets"},
    [ZI_OPT_VMCI_BUFFER_SIZE] = {U64_("vmci_buffer_size", 85, "0", 0), RW, .types = ALL, BIND,
        STABLE, NO, .doc = "VMCI buffer size, octets (0: VMCI's default)"},
    [ZI_OPT_VMCI_BUFFER_MIN_SIZE] = {U64_("vmci_buffer_min_size", 86, "0", 0), RW, .types = ALL,
        BIND, STABLE, NO, .doc = "VMCI minimum buffer size, octets (0: VMCI's default)"},
    [ZI_OPT_VMCI_BUFFER_MAX_SIZE] = {U64_("vmci_buffer_max_size", 87, "0", 0), RW, .types = ALL,
        BIND, STABLE, NO, .doc = "VMCI maximum buffer size, octets (0: VMCI's default)"},
    [ZI_OPT_VMCI_CONNECT_TIMEOUT] = {INT_("vmci_connect_timeout", 88, "-1", -1, -1, IMAX), RW,
        .types = ALL, BIND, STABLE, NO, .doc = "VMCI connect timeout, ms (-1: none)"},
    [ZI_OPT_USE_FD] = {INT_("use_fd", 89, "-1", -1, -1, IMAX), RW, .types = ALL, BIND, STABLE,
        NO, .doc = "Listen on this already bound file descriptor (-1: make one)"},
    [ZI_OPT_GSSAPI_PRINCIPAL_NAMETYPE] = {INT_("gssapi_principal_nametype", 90, "0", 0, 0, 2),
        RW, .types = ALL, BIND, STABLE, NO,
        .doc = "0 host-based, 1 user name, 2 Kerberos principal"},
    [ZI_OPT_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE] = {INT_("gssapi_service_principal_nametype", 91,
        "0", 0, 0, 2), RW, .types = ALL, BIND, STABLE, NO,
        .doc = "0 host-based, 1 user name, 2 Kerberos principal"},
    [ZI_OPT_BINDTODEVICE] = {STR_("bindtodevice", 92, 0, 16), RW, .types = ALL, BIND, STABLE, NO,
        .doc = "Network interface or VRF to bind connections to (SO_BINDTODEVICE)"},

    /* libzmq draft API */
    [ZI_OPT_ZAP_ENFORCE_DOMAIN] = {BOOL0("zap_enforce_domain", 93), RW, .types = ALL, BIND,
        DRAFT, YES, .doc = "Require a ZAP domain, as RFC 27 says"},
    [ZI_OPT_LOOPBACK_FASTPATH] = {BOOL0("loopback_fastpath", 94), RW, .types = ALL, BIND, DRAFT,
        NO, .doc = "Windows SIO_LOOPBACK_FAST_PATH for loopback TCP"},
    [ZI_OPT_METADATA] = {STR_("metadata", 95, 0, ZI_LEN_ANY), WO, .types = ALL, BIND, DRAFT, NO,
        ACTION, .check = table_check_metadata,
        .doc = "Adds an \"X-key:value\" property to the handshake metadata"},
    [ZI_OPT_MULTICAST_LOOP] = {BOOL1("multicast_loop", 96), RW, .types = T(RADIO), BIND, DRAFT,
        NO, .doc = "Loop multicast UDP back to local listeners"},
    [ZI_OPT_ROUTER_NOTIFY] = {INT_("router_notify", 97, "0", 0, 0, 3), RW, .types = T(ROUTER),
        CONN, DRAFT, NO, .doc = "Empty message on peer connect (1), disconnect (2), or both (3)"},
    [ZI_OPT_XPUB_MANUAL_LAST_VALUE] = {BOOL0("xpub_manual_last_value", 98), WO,
        .types = T(XPUB), NOW, DRAFT, NO,
        .doc = "xpub_manual that sends the last value to a new subscriber only"},
    [ZI_OPT_SOCKS_USERNAME] = {STR_("socks_username", 99, 0, 255), RW, .types = ALL, BIND,
        DRAFT, NO, .doc = "SOCKS5 user name (basic authentication)"},
    [ZI_OPT_SOCKS_PASSWORD] = {STR_("socks_password", 100, 0, 255), RW, .types = ALL, BIND,
        DRAFT, NO, .doc = "SOCKS5 password"},
    [ZI_OPT_IN_BATCH_SIZE] = {INT_("in_batch_size", 101, "8192", 8192, 1, IMAX), RW,
        .types = ALL, BIND, DRAFT, NO, .doc = "Octets read per receive system call, at most"},
    [ZI_OPT_OUT_BATCH_SIZE] = {INT_("out_batch_size", 102, "8192", 8192, 1, IMAX), RW,
        .types = ALL, BIND, DRAFT, NO, .doc = "Octets written per send system call, at most"},
    [ZI_OPT_WSS_KEY_PEM] = {STR_("wss_key_pem", 103, 0, ZI_LEN_ANY), WO, .types = ALL, BIND,
        DRAFT, NO, .doc = "WSS transport: private key, PEM"},
    [ZI_OPT_WSS_CERT_PEM] = {STR_("wss_cert_pem", 104, 0, ZI_LEN_ANY), WO, .types = ALL, BIND,
        DRAFT, NO, .doc = "WSS transport: certificate, PEM"},
    [ZI_OPT_WSS_TRUST_PEM] = {STR_("wss_trust_pem", 105, 0, ZI_LEN_ANY), WO, .types = ALL, BIND,
        DRAFT, NO, .doc = "WSS transport: trusted certificate, PEM"},
    [ZI_OPT_WSS_HOSTNAME] = {STR_("wss_hostname", 106, 0, ZI_LEN_ANY), WO, .types = ALL, BIND,
        DRAFT, NO, .doc = "WSS transport: host name to verify"},
    [ZI_OPT_WSS_TRUST_SYSTEM] = {BOOL0("wss_trust_system", 107), WO, .types = ALL, BIND, DRAFT,
        NO, .doc = "WSS transport: trust the system's certificate store"},
    [ZI_OPT_ONLY_FIRST_SUBSCRIBE] = {BOOL0("only_first_subscribe", 108), WO,
        .types = T(XPUB) | T(XSUB), NOW, DRAFT, YES,
        .doc = "Only a message's first frame may be a (un)subscription"},
    [ZI_OPT_RECONNECT_STOP] = {INT_("reconnect_stop", 109, "0", 0, 0, 7), RW, .types = ALL, BIND,
        DRAFT, NO,
        .doc = "Stop reconnecting on: 1 connection refused, 2 handshake failed, 4 disconnect"},
    [ZI_OPT_HELLO_MSG] = {BYTES_("hello_msg", 110, 0, ZI_LEN_ANY), WO,
        .types = T(ROUTER) | T(DEALER) | T(CLIENT) | T(SERVER) | T(PEER), CONN, DRAFT, NO,
        .doc = "Message sent to each new peer"},
    [ZI_OPT_DISCONNECT_MSG] = {BYTES_("disconnect_msg", 111, 0, ZI_LEN_ANY), WO,
        .types = T(ROUTER) | T(SERVER) | T(PEER), CONN, DRAFT, NO,
        .doc = "Message delivered when an accepted peer disconnects"},
    [ZI_OPT_PRIORITY] = {INT_("priority", 112, "0", 0, 0, IMAX), RW, .types = ALL, BIND, DRAFT,
        NO, .doc = "SO_PRIORITY of the connections' packets"},
    [ZI_OPT_BUSY_POLL] = {BOOL0("busy_poll", 113), RW, .types = ALL, BIND, DRAFT, NO,
        .doc = "SO_BUSY_POLL on TCP connections"},
    [ZI_OPT_HICCUP_MSG] = {BYTES_("hiccup_msg", 114, 0, ZI_LEN_ANY), WO,
        .types = T(DEALER) | T(CLIENT) | T(PEER), CONN, DRAFT, NO,
        .doc = "Message delivered when a connected peer has to reconnect"},
    [ZI_OPT_XSUB_VERBOSE_UNSUBSCRIBE] = {BOOL0("xsub_verbose_unsubscribe", 115), WO,
        .types = T(XSUB), NOW, DRAFT, YES, .doc = "Send every unsubscribe upstream"},
    [ZI_OPT_TOPICS_COUNT] = {INT_("topics_count", 116, "0", 0, 0, IMAX), RO,
        .types = T(SUB) | T(XSUB) | T(PUB) | T(XPUB), NOW, DRAFT, YES, LIVE,
        .doc = "Number of distinct subscriptions"},
    [ZI_OPT_NORM_MODE] = {INT_("norm_mode", 117, "1", 1, 0, 4), RW, .types = ALL, BIND, DRAFT,
        NO, .doc = "NORM congestion control: 0 fixed, 1 CC, 2 CCL, 3 CCE, 4 CCE ECN-only"},
    [ZI_OPT_NORM_UNICAST_NACK] = {BOOL0("norm_unicast_nack", 118), RW, .types = ALL, BIND,
        DRAFT, NO, .doc = "NORM: receivers send NACKs by unicast"},
    [ZI_OPT_NORM_BUFFER_SIZE] = {INT_("norm_buffer_size", 119, "2048", 2048, 1, IMAX), RW,
        .types = ALL, BIND, DRAFT, NO, .doc = "NORM buffer size, kilobytes"},
    [ZI_OPT_NORM_SEGMENT_SIZE] = {INT_("norm_segment_size", 120, "1400", 1400, 1, IMAX), RW,
        .types = ALL, BIND, DRAFT, NO, .doc = "NORM segment size, octets"},
    [ZI_OPT_NORM_BLOCK_SIZE] = {INT_("norm_block_size", 121, "16", 16, 1, 255), RW,
        .types = ALL, BIND, DRAFT, NO, .doc = "NORM FEC block size, segments"},
    [ZI_OPT_NORM_NUM_PARITY] = {INT_("norm_num_parity", 122, "4", 4, 0, 255), RW, .types = ALL,
        BIND, DRAFT, NO, .doc = "NORM parity segments computed per block"},
    [ZI_OPT_NORM_NUM_AUTOPARITY] = {INT_("norm_num_autoparity", 123, "0", 0, 0, 255), RW,
        .types = ALL, BIND, DRAFT, NO, .doc = "NORM parity segments sent proactively"},
    [ZI_OPT_NORM_PUSH] = {BOOL0("norm_push", 124), RW, .types = ALL, BIND, DRAFT, NO,
        .doc = "NORM: push new data even when the buffer is full"},

    /* zinc's own */
    [ZI_OPT_HWM] = {INT_("hwm", -1, "1000", 1000, 0, IMAX), RW, .types = ALL, NOW, ZINC, YES,
        .doc = "pyzmq's hwm: sets sndhwm and rcvhwm together; reads sndhwm"},
    [ZI_OPT_COPY_THRESHOLD] = {INT_("copy_threshold", -1, "65536", 65536, 0, IMAX), RW,
        .types = ALL, NOW, ZINC, YES,
        .doc = "Zero-copy sends smaller than this, octets, are copied (pyzmq's)"},
};
/* clang-format on */
