#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "transport/endpoint.h"

static int endpoint_fail(int e)
{
    errno = e;
    return -1;
}

/* Port text: digits 1..65535, or "*"/"0" (only where wildcards are allowed). */
static int endpoint_port(const char *s, size_t len, bool wildcard, uint16_t *port)
{
    if (len == 1 && s[0] == '*') {
        *port = 0;
        return wildcard ? 0 : endpoint_fail(EINVAL);
    }
    if (len == 0 || len > 5)
        return endpoint_fail(EINVAL);
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return endpoint_fail(EINVAL);
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 65535 || (v == 0 && !wildcard))
        return endpoint_fail(EINVAL);
    *port = (uint16_t)v;
    return 0;
}

static bool endpoint_host_char(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '%';
}

/* "host:port", "[v6]:port" or "*:port". wildcard: "*" host and port 0/"*"
 * allowed (bind, source address). */
static int endpoint_hostport(const char *s, size_t len, bool wildcard, zi_hostport_t *hp)
{
    const char *colon = NULL;
    for (size_t i = len; i-- > 0;) {
        if (s[i] == ':') {
            colon = s + i;
            break;
        }
    }
    if (!colon)
        return endpoint_fail(EINVAL);
    const char *host = s;
    size_t hlen = (size_t)(colon - s);
    if (endpoint_port(colon + 1, len - hlen - 1, wildcard, &hp->port) < 0)
        return -1;
    if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
        host++;
        hlen -= 2;
    } else if (hlen == 1 && host[0] == '*') {
        if (!wildcard)
            return endpoint_fail(EINVAL);
        memcpy(hp->host, "*", 2);
        return 0;
    }
    if (hlen == 0 || hlen > ZI_HOST_MAX)
        return endpoint_fail(EINVAL);
    for (size_t i = 0; i < hlen; i++)
        if (!endpoint_host_char(host[i]))
            return endpoint_fail(EINVAL);
    memcpy(hp->host, host, hlen);
    hp->host[hlen] = '\0';
    return 0;
}

static int endpoint_tcp(zi_endpoint_t *ep, zi_ep_mode_t mode)
{
    const char *a = ep->address;
    size_t len = strlen(a);
    const char *semi = memchr(a, ';', len);
    if (semi) {
        /* libzmq: "tcp://source;destination", connect only. */
        if (mode != ZI_EP_CONNECT)
            return endpoint_fail(EINVAL);
        size_t slen = (size_t)(semi - a);
        if (endpoint_hostport(a, slen, true, &ep->source) < 0)
            return -1;
        ep->has_source = true;
        a = semi + 1;
        len -= slen + 1;
    }
    return endpoint_hostport(a, len, mode == ZI_EP_BIND, &ep->tcp);
}

static int endpoint_ipc(zi_endpoint_t *ep, zi_ep_mode_t mode)
{
    const char *a = ep->address;
    size_t len = strlen(a);
    if (len > ZI_IPC_PATH_MAX)
        return endpoint_fail(ENAMETOOLONG);
    if (len == 1 && a[0] == '*') {
        if (mode != ZI_EP_BIND)
            return endpoint_fail(EINVAL);
        ep->ipc_any = true;
        return 0;
    }
    if (a[0] == '@') {
        if (len == 1)
            return endpoint_fail(EINVAL);
        ep->abstract = true;
    }
    return 0;
}

int zi_endpoint_parse(const char *uri, zi_ep_mode_t mode, zi_endpoint_t *ep)
{
    if (!uri || !ep)
        return endpoint_fail(EINVAL);
    memset(ep, 0, sizeof *ep);
    const char *sep = strstr(uri, "://");
    if (!sep || sep == uri || sep[3] == '\0')
        return endpoint_fail(EINVAL);
    size_t slen = (size_t)(sep - uri);
    const char *addr = sep + 3;
    size_t alen = strlen(addr);
    if (slen == 3 && memcmp(uri, "tcp", 3) == 0)
        ep->transport = ZI_TRANSPORT_TCP;
    else if (slen == 3 && memcmp(uri, "ipc", 3) == 0)
        ep->transport = ZI_TRANSPORT_IPC;
    else if (slen == 6 && memcmp(uri, "inproc", 6) == 0)
        ep->transport = ZI_TRANSPORT_INPROC;
    else
        return endpoint_fail(EPROTONOSUPPORT);
    if (alen > ZI_ENDPOINT_MAX)
        return endpoint_fail(ep->transport == ZI_TRANSPORT_IPC ? ENAMETOOLONG : EINVAL);
    memcpy(ep->address, addr, alen + 1);
    switch (ep->transport) {
    case ZI_TRANSPORT_TCP:
        return endpoint_tcp(ep, mode);
    case ZI_TRANSPORT_IPC:
        return endpoint_ipc(ep, mode);
    case ZI_TRANSPORT_INPROC:
        return 0;
    }
    return endpoint_fail(EINVAL);
}

/* ---- resolution ------------------------------------------------------- */

static socklen_t endpoint_any(int family, struct sockaddr_storage *out)
{
    if (family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;
        s6->sin6_family = AF_INET6;
        s6->sin6_addr = in6addr_any;
        return sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)out;
    s4->sin_family = AF_INET;
    s4->sin_addr.s_addr = htonl(INADDR_ANY);
    return sizeof *s4;
}

/* The first address of the family on the interface called name (libzmq's
 * resolve_nic_name). 0 when found. */
static int endpoint_nic(const char *name, int family, struct sockaddr_storage *out,
                        socklen_t *outlen)
{
    struct ifaddrs *list;
    if (getifaddrs(&list) < 0)
        return -1;
    int rc = -1;
    for (struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
        if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != family || strcmp(ifa->ifa_name, name))
            continue;
        *outlen = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
        memcpy(out, ifa->ifa_addr, *outlen);
        rc = 0;
        break;
    }
    freeifaddrs(list);
    return rc;
}

int zi_tcp_resolve(const zi_hostport_t *hp, int flags, struct sockaddr_storage *out,
                   socklen_t *outlen)
{
    bool bind = flags & ZI_RESOLVE_BIND;
    int family = flags & ZI_RESOLVE_IPV6 ? AF_INET6 : AF_INET;
    memset(out, 0, sizeof *out);
    if (strcmp(hp->host, "*") == 0) {
        if (!bind)
            return endpoint_fail(EINVAL);
        *outlen = endpoint_any(family, out);
    } else if (!bind || endpoint_nic(hp->host, family, out, outlen) < 0) {
        /* As libzmq: IPv6 sockets take IPv4 hosts as v4-mapped addresses;
         * binds accept numeric hosts only. */
        struct addrinfo hints = {0}, *res = NULL;
        hints.ai_family = family;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags =
            (bind ? AI_PASSIVE | AI_NUMERICHOST : 0) | (family == AF_INET6 ? AI_V4MAPPED : 0);
        int rc = getaddrinfo(hp->host, NULL, &hints, &res);
        if (rc != 0)
            return endpoint_fail(rc == EAI_MEMORY ? ENOMEM : bind ? ENODEV : EINVAL);
        if (res->ai_addrlen > sizeof *out) {
            freeaddrinfo(res);
            return endpoint_fail(EINVAL);
        }
        memcpy(out, res->ai_addr, res->ai_addrlen);
        *outlen = res->ai_addrlen;
        freeaddrinfo(res);
    }
    if (out->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)out)->sin6_port = htons(hp->port);
    else
        ((struct sockaddr_in *)out)->sin_port = htons(hp->port);
    return 0;
}

/* ---- formatting ------------------------------------------------------- */

static int endpoint_put(char *buf, size_t cap, int n)
{
    if (n < 0 || (size_t)n >= cap)
        return endpoint_fail(ENOBUFS);
    return 0;
}

int zi_sockaddr_ip(const struct sockaddr *sa, socklen_t len, char *buf, size_t cap)
{
    if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
        return endpoint_fail(EAFNOSUPPORT);
    char host[NI_MAXHOST];
    if (getnameinfo(sa, len, host, sizeof host, NULL, 0, NI_NUMERICHOST) != 0)
        return endpoint_fail(EINVAL);
    return endpoint_put(buf, cap, snprintf(buf, cap, "%s", host));
}

int zi_endpoint_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t cap)
{
    if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6) {
        char ip[NI_MAXHOST];
        if (zi_sockaddr_ip(sa, len, ip, sizeof ip) < 0)
            return -1;
        bool v6 = sa->sa_family == AF_INET6;
        unsigned port = ntohs(v6 ? ((const struct sockaddr_in6 *)sa)->sin6_port
                                 : ((const struct sockaddr_in *)sa)->sin_port);
        return endpoint_put(buf, cap,
                            snprintf(buf, cap, v6 ? "tcp://[%s]:%u" : "tcp://%s:%u", ip, port));
    }
    if (sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
        size_t off = offsetof(struct sockaddr_un, sun_path);
        if ((size_t)len <= off)
            return endpoint_fail(EAFNOSUPPORT); /* unnamed */
        size_t n = (size_t)len - off;
        if (un->sun_path[0] == '\0') /* abstract: "@" then the name's octets */
            return endpoint_put(buf, cap,
                                snprintf(buf, cap, "ipc://@%.*s", (int)(n - 1), un->sun_path + 1));
        return endpoint_put(
            buf, cap,
            snprintf(buf, cap, "ipc://%.*s", (int)strnlen(un->sun_path, n), un->sun_path));
    }
    return endpoint_fail(EAFNOSUPPORT);
}

int zi_endpoint_of_fd(int fd, char *buf, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    return zi_endpoint_format((struct sockaddr *)&ss, len, buf, cap);
}
