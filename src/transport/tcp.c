#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "transport/endpoint.h"
#include "transport/tcp.h"

void zi_tcp_opts_default(zi_tcp_opts_t *o)
{
    o->sndbuf = o->rcvbuf = -1;
    o->keepalive = o->keepalive_cnt = o->keepalive_idle = o->keepalive_intvl = -1;
}

static int tcp_setopt(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value);
}

static int tcp_set_buffers(int fd, const zi_tcp_opts_t *o)
{
    if (o->sndbuf >= 0 && tcp_setopt(fd, SOL_SOCKET, SO_SNDBUF, o->sndbuf) < 0)
        return -1;
    if (o->rcvbuf >= 0 && tcp_setopt(fd, SOL_SOCKET, SO_RCVBUF, o->rcvbuf) < 0)
        return -1;
    return 0;
}

/* libzmq's tune_tcp_keepalives. */
static int tcp_set_keepalive(int fd, const zi_tcp_opts_t *o)
{
    if (o->keepalive == -1)
        return 0;
    if (tcp_setopt(fd, SOL_SOCKET, SO_KEEPALIVE, o->keepalive ? 1 : 0) < 0)
        return -1;
    if (!o->keepalive)
        return 0;
    if (o->keepalive_cnt != -1 && tcp_setopt(fd, IPPROTO_TCP, TCP_KEEPCNT, o->keepalive_cnt) < 0)
        return -1;
    if (o->keepalive_idle != -1 && tcp_setopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, o->keepalive_idle) < 0)
        return -1;
    if (o->keepalive_intvl != -1 &&
        tcp_setopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, o->keepalive_intvl) < 0)
        return -1;
    return 0;
}

int zi_tcp_tune(int fd, const zi_tcp_opts_t *opts)
{
    zi_tcp_opts_t defaults;
    if (!opts) {
        zi_tcp_opts_default(&defaults);
        opts = &defaults;
    }
    if (tcp_setopt(fd, IPPROTO_TCP, TCP_NODELAY, 1) < 0)
        return -1;
    if (tcp_set_buffers(fd, opts) < 0)
        return -1;
    return tcp_set_keepalive(fd, opts);
}

static int tcp_close_fail(int fd)
{
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

static int tcp_socket(int family)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0)
        return -1;
    /* Dual stack: an IPv6 socket also serves IPv4 (v4-mapped). */
    if (family == AF_INET6 && tcp_setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0) < 0)
        return tcp_close_fail(fd);
    return fd;
}

int zi_tcp_listen(const struct sockaddr *sa, socklen_t len, int backlog, const zi_tcp_opts_t *opts)
{
    int fd = tcp_socket(sa->sa_family);
    if (fd < 0)
        return -1;
    if (tcp_setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
        return tcp_close_fail(fd);
    if (opts && tcp_set_buffers(fd, opts) < 0)
        return tcp_close_fail(fd);
    if (bind(fd, sa, len) < 0 || listen(fd, backlog) < 0)
        return tcp_close_fail(fd);
    return fd;
}

int zi_tcp_accept(int listen_fd, const zi_tcp_opts_t *opts)
{
    int fd;
    do {
        fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == EWOULDBLOCK)
            errno = EAGAIN;
        return -1;
    }
    if (zi_tcp_tune(fd, opts) < 0)
        return tcp_close_fail(fd);
    return fd;
}

int zi_tcp_connect(const struct sockaddr *sa, socklen_t len, const struct sockaddr *src,
                   socklen_t srclen, const zi_tcp_opts_t *opts, bool *pending)
{
    *pending = false;
    int fd = tcp_socket(sa->sa_family);
    if (fd < 0)
        return -1;
    if (zi_tcp_tune(fd, opts) < 0)
        return tcp_close_fail(fd);
    if (src) {
        /* libzmq: lets several connections share one source port. */
        if (tcp_setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0 || bind(fd, src, srclen) < 0)
            return tcp_close_fail(fd);
    }
    int rc;
    do {
        rc = connect(fd, sa, len);
    } while (rc < 0 && errno == EINTR);
    if (rc == 0)
        return fd;
    if (errno == EINPROGRESS) {
        *pending = true;
        return fd;
    }
    return tcp_close_fail(fd);
}

int zi_tcp_connect_result(int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -1;
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

int zi_tcp_peer_address(int fd, char *buf, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    return zi_sockaddr_ip((struct sockaddr *)&ss, len, buf, cap);
}
