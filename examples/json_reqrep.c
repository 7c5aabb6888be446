/* JSON request-reply with zinc_send_json / zinc_recv_json.
 *
 * A calculator service on its own thread answers {"op": "add", "a": 2,
 * "b": 3} with {"result": 5}, a bad request with {"error": "..."}, and
 * {"op": "stop"} by stopping. zinc has no REQ/REP sockets yet, so both ends
 * are DEALER sockets over tcp: with one peer each, a DEALER pair is a strict
 * request-reply exchange without REQ's envelope. Exits 0 when every reply is
 * as expected.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "zinc.h"

static zinc_socket_t *make_socket(zinc_ctx_t *ctx)
{
    zinc_socket_t *s = zinc_socket_new(ctx, ZINC_DEALER);
    if (s && (zinc_set(s, "linger", "0") != 0 || zinc_set(s, "rcvtimeo", "2000") != 0 ||
              zinc_set(s, "sndtimeo", "2000") != 0)) {
        zinc_socket_close(s);
        s = NULL;
    }
    return s;
}

static cJSON *answer(const cJSON *req)
{
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(req, "op");
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(req, "a");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(req, "b");
    cJSON *rep = cJSON_CreateObject();
    if (!cJSON_IsString(op) || !cJSON_IsNumber(a) || !cJSON_IsNumber(b)) {
        cJSON_AddStringToObject(rep, "error", "expected {op, a, b}");
    } else if (strcmp(op->valuestring, "add") == 0) {
        cJSON_AddNumberToObject(rep, "result", a->valuedouble + b->valuedouble);
    } else if (strcmp(op->valuestring, "mul") == 0) {
        cJSON_AddNumberToObject(rep, "result", a->valuedouble * b->valuedouble);
    } else if (strcmp(op->valuestring, "div") == 0 && b->valuedouble != 0) {
        cJSON_AddNumberToObject(rep, "result", a->valuedouble / b->valuedouble);
    } else {
        cJSON_AddStringToObject(rep, "error", "cannot do that");
    }
    return rep;
}

static void *server(void *arg)
{
    zinc_socket_t *s = arg;
    for (;;) {
        cJSON *req = zinc_recv_json(s, 0);
        cJSON *rep;
        if (!req && (errno == EPROTO || errno == EILSEQ)) {
            /* Not JSON: the frame was consumed; say so and carry on. */
            rep = cJSON_CreateObject();
            cJSON_AddStringToObject(rep, "error", zinc_last_error_detail());
        } else if (!req) {
            fprintf(stderr, "server: %s\n", zinc_strerror(errno));
            return NULL;
        } else {
            const cJSON *op = cJSON_GetObjectItemCaseSensitive(req, "op");
            bool stop = cJSON_IsString(op) && strcmp(op->valuestring, "stop") == 0;
            rep = stop ? cJSON_CreateObject() : answer(req);
            if (stop)
                cJSON_AddBoolToObject(rep, "stopped", true);
            cJSON_Delete(req);
            if (stop) {
                zinc_send_json(s, rep, 0);
                cJSON_Delete(rep);
                return NULL;
            }
        }
        if (zinc_send_json(s, rep, 0) < 0)
            fprintf(stderr, "server: send: %s\n", zinc_strerror(errno));
        cJSON_Delete(rep);
    }
}

/* Sends one request (JSON text, or raw bytes when raw) and checks the reply. */
static int ask(zinc_socket_t *s, const char *text, bool raw, const char *key, double expect)
{
    if (raw) {
        if (zinc_send(s, text, strlen(text), 0) < 0)
            return -1;
    } else {
        cJSON *req = cJSON_Parse(text);
        int rc = zinc_send_json(s, req, 0);
        cJSON_Delete(req);
        if (rc < 0)
            return -1;
    }
    cJSON *rep = zinc_recv_json(s, 0);
    if (!rep) {
        fprintf(stderr, "client: %s\n", zinc_strerror(errno));
        return -1;
    }
    char *shown = cJSON_PrintUnformatted(rep);
    printf("%-40s -> %s\n", text, shown);
    cJSON_free(shown);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rep, key);
    int ok = v && (!cJSON_IsNumber(v) || v->valuedouble == expect);
    cJSON_Delete(rep);
    return ok ? 0 : -1;
}

int main(void)
{
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *srv = make_socket(ctx), *cli = make_socket(ctx);
    char ep[64];
    size_t len = sizeof ep;
    if (!srv || !cli || zinc_bind(srv, "tcp://127.0.0.1:*") != 0 ||
        zinc_get(srv, "last_endpoint", ep, &len) != 0 || zinc_connect(cli, ep) != 0) {
        fprintf(stderr, "setup: %s\n", zinc_strerror(errno));
        return 1;
    }
    pthread_t th;
    if (pthread_create(&th, NULL, server, srv) != 0)
        return 1;
    int failed = 0;
    failed |= ask(cli, "{\"op\": \"add\", \"a\": 2, \"b\": 3}", false, "result", 5);
    failed |= ask(cli, "{\"op\": \"mul\", \"a\": 4, \"b\": 2.5}", false, "result", 10);
    failed |= ask(cli, "{\"op\": \"div\", \"a\": 1, \"b\": 0}", false, "error", 0);
    failed |= ask(cli, "{\"op\": \"add\", \"a\": ", true, "error", 0); /* malformed */
    failed |= ask(cli, "{\"op\": \"stop\"}", false, "stopped", 0);
    pthread_join(th, NULL);
    zinc_socket_close(cli);
    zinc_socket_close(srv);
    zinc_ctx_term(ctx);
    printf("%s\n", failed ? "FAILED" : "ok");
    return failed ? 1 : 0;
}
