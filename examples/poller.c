/* A poller over a zinc socket and a plain file descriptor (a pipe(2)).
 *
 * A worker thread sends messages on a PUSH socket and, now and then, writes
 * a status line into a pipe; the main thread waits on both with one
 * zinc_poller_t and handles whichever is ready. The worker ends with "done"
 * on the pipe. Exits 0 when every message and every line arrived.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zinc.h"

enum { MESSAGES = 50 };

typedef struct {
    zinc_socket_t *push;
    int pipe_wr;
} worker_t;

static void *worker(void *arg)
{
    worker_t *w = arg;
    char text[32];
    for (int i = 0; i < MESSAGES; i++) {
        snprintf(text, sizeof text, "job %d", i);
        if (zinc_send_string(w->push, text, 0) < 0)
            break;
        if (i % 10 == 9 && write(w->pipe_wr, "tick\n", 5) != 5)
            break;
    }
    if (write(w->pipe_wr, "done\n", 5) != 5)
        perror("write");
    return NULL;
}

int main(void)
{
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *pull = zinc_socket_new(ctx, ZINC_PULL);
    zinc_socket_t *push = zinc_socket_new(ctx, ZINC_PUSH);
    int fds[2];
    if (!pull || !push || pipe(fds) != 0 || zinc_set_int(pull, "linger", 0) != 0 ||
        zinc_set_int(push, "linger", 0) != 0 || zinc_set_int(push, "sndtimeo", 2000) != 0 ||
        zinc_bind(pull, "inproc://jobs") != 0 || zinc_connect(push, "inproc://jobs") != 0) {
        fprintf(stderr, "setup: %s\n", zinc_strerror(errno));
        return 1;
    }

    zinc_poller_t *poller = zinc_poller_new();
    static const char sock_tag[] = "socket", pipe_tag[] = "pipe";
    if (!poller || zinc_poller_add(poller, pull, (void *)sock_tag, ZINC_POLLIN) != 0 ||
        zinc_poller_add_fd(poller, fds[0], (void *)pipe_tag, ZINC_POLLIN) != 0) {
        fprintf(stderr, "poller: %s\n", zinc_strerror(errno));
        return 1;
    }

    worker_t w = {push, fds[1]};
    pthread_t th;
    if (pthread_create(&th, NULL, worker, &w) != 0)
        return 1;

    int jobs = 0, ticks = 0;
    bool done = false;
    while (!done || jobs < MESSAGES) {
        zinc_poller_event_t ev[2];
        int n = zinc_poller_wait(poller, ev, 2, 2000);
        if (n <= 0) {
            fprintf(stderr, "wait: %s\n", n == 0 ? "timed out" : zinc_strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            if (ev[i].user == sock_tag) {
                /* Take everything that is there: the poller reports readiness,
                 * not a count. */
                char *text;
                while ((text = zinc_recv_string(pull, ZINC_DONTWAIT)) != NULL) {
                    jobs++;
                    zinc_free(text);
                }
            } else {
                char line[64];
                ssize_t k = read(ev[i].fd, line, sizeof line - 1);
                if (k <= 0)
                    break;
                line[k] = '\0';
                for (char *p = line; (p = strstr(p, "tick")) != NULL; p += 4)
                    ticks++;
                if (strstr(line, "done"))
                    done = true;
            }
        }
    }
    pthread_join(th, NULL);
    printf("received %d jobs from the socket and %d ticks%s from the pipe\n", jobs, ticks,
           done ? " and done" : "");

    zinc_poller_free(poller);
    close(fds[0]);
    close(fds[1]);
    zinc_socket_close(push);
    zinc_socket_close(pull);
    zinc_ctx_term(ctx);
    int ok = jobs == MESSAGES && ticks == MESSAGES / 10 && done;
    printf("%s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
