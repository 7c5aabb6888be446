#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transport/ipc.h"

static int ipc_fail(int e)
{
    errno = e;
    return -1;
}

int zi_ipc_sockaddr(const char *address, struct sockaddr_un *sa, socklen_t *len)
{
    size_t n = strlen(address);
    if (n >= sizeof sa->sun_path)
        return ipc_fail(ENAMETOOLONG);
    if (n == 0 || (address[0] == '@' && n == 1))
        return ipc_fail(EINVAL);
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    memcpy(sa->sun_path, address, n);
    if (address[0] == '@')
        sa->sun_path[0] = '\0'; /* abstract namespace */
    /* As libzmq: the length covers the path without a NUL, so an abstract
     * name is exactly its octets. */
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    return 0;
}

/* "*": a new private folder and a socket path inside it, as libzmq. */
static int ipc_wildcard(zi_ipc_listener_t *l)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    char dir[ZI_IPC_PATH_MAX + 1];
    int n = snprintf(dir, sizeof dir, "%s/tmpXXXXXX", base);
    if (n < 0 || (size_t)n >= sizeof dir)
        return ipc_fail(ENAMETOOLONG);
    if (!mkdtemp(dir))
        return -1;
    n = snprintf(l->path, sizeof l->path, "%s/socket", dir);
    if (n < 0 || (size_t)n >= sizeof l->path) {
        rmdir(dir);
        return ipc_fail(ENAMETOOLONG);
    }
    memcpy(l->tmpdir, dir, sizeof dir);
    return 0;
}

static int ipc_socket(void)
{
    return socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int zi_ipc_listen(zi_ipc_listener_t *l, const char *address, int backlog)
{
    memset(l, 0, sizeof *l);
    l->fd = -1;
    if (strcmp(address, "*") == 0) {
        if (ipc_wildcard(l) < 0)
            return -1;
        address = l->path;
    } else if (address[0] != '@') {
        if (strlen(address) > ZI_IPC_PATH_MAX)
            return ipc_fail(ENAMETOOLONG);
        memcpy(l->path, address, strlen(address) + 1);
    }
    struct sockaddr_un sa;
    socklen_t len;
    int e;
    if (zi_ipc_sockaddr(address, &sa, &len) < 0)
        goto error;
    if (l->path[0]) {
        /* A socket left behind by an earlier run (libzmq unlinks whatever is
         * there; we spare anything that is not a socket). */
        struct stat st;
        if (lstat(l->path, &st) == 0 && S_ISSOCK(st.st_mode))
            unlink(l->path);
    }
    l->fd = ipc_socket();
    if (l->fd < 0)
        goto error;
    if (bind(l->fd, (struct sockaddr *)&sa, len) < 0)
        goto error;
    if (l->path[0]) {
        struct stat st;
        if (stat(l->path, &st) < 0) {
            e = errno;
            unlink(l->path);
            errno = e;
            goto error;
        }
        l->dev = st.st_dev;
        l->ino = st.st_ino;
    }
    if (listen(l->fd, backlog) < 0 ||
        zi_endpoint_of_fd(l->fd, l->endpoint, sizeof l->endpoint) < 0) {
        e = errno;
        zi_ipc_listener_close(l);
        errno = e;
        return -1;
    }
    return 0;
error:
    e = errno;
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    if (l->tmpdir[0])
        rmdir(l->tmpdir);
    l->path[0] = l->tmpdir[0] = '\0';
    errno = e;
    return -1;
}

void zi_ipc_listener_close(zi_ipc_listener_t *l)
{
    if (l->fd >= 0) {
        close(l->fd);
        l->fd = -1;
    }
    if (l->path[0]) {
        /* Only the file we made: another listener may have taken the path. */
        struct stat st;
        if (lstat(l->path, &st) == 0 && st.st_dev == l->dev && st.st_ino == l->ino)
            unlink(l->path);
        l->path[0] = '\0';
    }
    if (l->tmpdir[0]) {
        rmdir(l->tmpdir);
        l->tmpdir[0] = '\0';
    }
}

int zi_ipc_accept(int listen_fd)
{
    int fd;
    do {
        fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0 && errno == EWOULDBLOCK)
        errno = EAGAIN;
    return fd;
}

int zi_ipc_connect(const char *address, bool *pending)
{
    *pending = false;
    struct sockaddr_un sa;
    socklen_t len;
    if (zi_ipc_sockaddr(address, &sa, &len) < 0)
        return -1;
    int fd = ipc_socket();
    if (fd < 0)
        return -1;
    int rc;
    do {
        rc = connect(fd, (struct sockaddr *)&sa, len);
    } while (rc < 0 && errno == EINTR);
    if (rc == 0)
        return fd;
    if (errno == EINPROGRESS) {
        *pending = true;
        return fd;
    }
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

int zi_ipc_connect_result(int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -1;
    if (err != 0)
        return ipc_fail(err);
    return 0;
}
