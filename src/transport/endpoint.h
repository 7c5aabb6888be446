/* Endpoints: parsing "scheme://address" strings, resolving tcp addresses and
 * formatting bound addresses back into libzmq's last_endpoint form.
 *
 *   tcp://host:port        host: IPv4 literal, [IPv6 literal] (a bare one
 *                          also works, as in libzmq), or for connect a DNS
 *                          name, for bind an interface name ("lo", "eth0");
 *   host "*"               bind to every interface;
 *   port "*" or 0          bind to an ephemeral port;
 *   tcp://src;dest         connect from a source address (libzmq syntax:
 *                          src is host:port as for bind, "*" and port 0 or *
 *                          allowed, then dest as for connect);
 *   ipc:///path, ipc://relative, ipc://@abstract (Linux), and for bind
 *                          the address "*": a new unique path in a new
 *                          temporary folder;
 *   inproc://name          any non-empty name.
 * Errors (errno): EPROTONOSUPPORT for an unknown scheme, ENAMETOOLONG for an
 * ipc path that does not fit sun_path, EINVAL for anything else malformed.
 *
 * Parsing and formatting are pure (any thread, never block). Resolution may
 * block: see zi_tcp_resolve.
 */
#ifndef ZI_TRANSPORT_ENDPOINT_H
#define ZI_TRANSPORT_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest endpoint string accepted (excluding the NUL). */
#define ZI_ENDPOINT_MAX 1023
/* Longest tcp host or interface name accepted (excluding the NUL). */
#define ZI_HOST_MAX 255
/* Longest ipc address (path, or "@" and name), as libzmq: < sizeof sun_path. */
#define ZI_IPC_PATH_MAX 107
/* Room for any formatted address ("tcp://[v6%scope]:port", "ipc://..."). */
#define ZI_ADDR_TEXT_MAX 160

typedef enum {
    ZI_TRANSPORT_TCP = 1,
    ZI_TRANSPORT_IPC = 2,
    ZI_TRANSPORT_INPROC = 3,
} zi_transport_t;

/* What the endpoint is for: the rules differ (wildcards are for bind, a
 * source address and DNS names are for connect). */
typedef enum { ZI_EP_BIND = 1, ZI_EP_CONNECT = 2 } zi_ep_mode_t;

typedef struct {
    char host[ZI_HOST_MAX + 1]; /* brackets removed; "*" means every interface */
    uint16_t port;              /* 0: ephemeral (bind, source) */
} zi_hostport_t;

typedef struct {
    zi_transport_t transport;
    char address[ZI_ENDPOINT_MAX + 1]; /* everything after "scheme://" */
    /* tcp */
    zi_hostport_t tcp; /* the address to bind or connect to */
    bool has_source;   /* connect "source;dest" */
    zi_hostport_t source;
    /* ipc: the path is `address` (an abstract name keeps its leading '@') */
    bool abstract;
    bool ipc_any; /* the address "*" */
    /* inproc: the name is `address` */
} zi_endpoint_t;

/* Parses uri for mode into *ep (syntax only, no resolution). 0, or -1 with
 * errno (EPROTONOSUPPORT, ENAMETOOLONG, EINVAL). */
int zi_endpoint_parse(const char *uri, zi_ep_mode_t mode, zi_endpoint_t *ep);

/* Flags for zi_tcp_resolve. */
enum {
    ZI_RESOLVE_BIND = 1, /* "*", interface names and numeric hosts only */
    ZI_RESOLVE_IPV6 = 2, /* the socket's ipv6 option */
};

/* Resolves hp into a socket address. With ZI_RESOLVE_IPV6 the address is
 * IPv6 (an IPv4 host becomes ::ffff:a.b.c.d and "*" is ::, for a dual-stack
 * socket), as libzmq; without it only IPv4 resolves, so an IPv6 literal
 * fails. A connect address may be a DNS name: then this calls getaddrinfo and
 * BLOCKS for as long as the resolver takes; the caller chooses the thread.
 * Bind addresses never touch DNS. 0, or -1 with errno: ENODEV (bind: no such
 * interface or address), EINVAL (connect: does not resolve), ENOMEM. */
int zi_tcp_resolve(const zi_hostport_t *hp, int flags, struct sockaddr_storage *out,
                   socklen_t *outlen);

/* Formats a socket address as libzmq's last_endpoint would:
 * "tcp://127.0.0.1:45123", "tcp://[::1]:45123", "ipc:///tmp/x",
 * "ipc://@name". 0, or -1 with errno EAFNOSUPPORT or ENOBUFS (cap too small;
 * ZI_ADDR_TEXT_MAX is always enough). */
int zi_endpoint_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t cap);

/* The bound (local) address of fd, formatted as zi_endpoint_format. */
int zi_endpoint_of_fd(int fd, char *buf, size_t cap);

/* The IP address alone as text ("127.0.0.1", "::1", "::ffff:10.0.0.1"), as in
 * libzmq's Peer-Address metadata. 0, or -1 with errno (EAFNOSUPPORT for a
 * non-IP address, ENOBUFS). */
int zi_sockaddr_ip(const struct sockaddr *sa, socklen_t len, char *buf, size_t cap);

#endif
