#include "CMicroHTTPD.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>

struct ls_http_reply {
    int status;
    struct MHD_Response *response;
};

struct ls_server {
    struct MHD_Daemon *daemon;
    ls_http_handler handler;
    ls_http_log log;
    void *context;
    size_t body_limit;
};

/* Per request: the body collected so far (bounded). */
struct ls_request_state {
    uint8_t *body;
    size_t size;
    int too_large;
    /* Bytes of an over-limit body without a Content-Length (chunked) read and thrown away, so
     * that its end can be answered with a 413; beyond ls_discard_limit the connection is dropped. */
    size_t discarded;
};

/* libmicrohttpd answers only once the upload is read: an over-limit chunked body is read to its
 * end (and dropped) up to this many bytes, so the client gets its 413. */
static size_t ls_discard_limit(const struct ls_server *server) {
    size_t sixteen = server->body_limit > SIZE_MAX / 16 ? SIZE_MAX : server->body_limit * 16;
    return sixteen > 65536 ? sixteen : 65536;
}

void ls_http_reply_set(ls_http_reply *reply, int status, const char *content_type, const uint8_t *body, size_t size,
                       const char *cache_control) {
    if (reply->response) MHD_destroy_response(reply->response);
    reply->status = status;
    reply->response = MHD_create_response_from_buffer(size, (void *)(size ? body : (const uint8_t *)""), MHD_RESPMEM_MUST_COPY);
    if (!reply->response) return;
    if (content_type) MHD_add_response_header(reply->response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(reply->response, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control ? cache_control : "no-store");
    MHD_add_response_header(reply->response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(reply->response, "X-Frame-Options", "DENY");
    MHD_add_response_header(reply->response, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    if (status >= 400) MHD_add_response_header(reply->response, MHD_HTTP_HEADER_CONNECTION, "close");
}

static enum MHD_Result ls_count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind; (void)key; (void)value;
    (*(int *)cls)++;
    return MHD_YES;
}

/* The query string, rebuilt from MHD's parsed arguments (only the first "limit" matters to us). */
static enum MHD_Result ls_first_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    char *out = cls;
    if (out[0] == 0 && key && value && strlen(key) + strlen(value) + 2 < 128) snprintf(out, 128, "%s=%s", key, value);
    return MHD_YES;
}

static enum MHD_Result ls_queue(struct MHD_Connection *connection, ls_http_reply *reply) {
    if (!reply->response) {
        static const char failed[] = "internal error\n";
        reply->status = 500;
        reply->response = MHD_create_response_from_buffer(sizeof failed - 1, (void *)failed, MHD_RESPMEM_PERSISTENT);
        if (!reply->response) return MHD_NO;
    }
    enum MHD_Result result = MHD_queue_response(connection, (unsigned)reply->status, reply->response);
    MHD_destroy_response(reply->response);
    reply->response = NULL;
    return result;
}

static void ls_dispatch(struct ls_server *server, struct MHD_Connection *connection, const char *url, const char *method,
                        struct ls_request_state *state, ls_http_reply *reply) {
    char client[INET6_ADDRSTRLEN] = "?";
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)info->client_addr)->sin_addr, client, sizeof client);
    }
    char query[128] = "";
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, ls_first_arg, query);
    ls_http_request request = {
        .method = method, .path = url, .query = query,
        .token = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Lineside-Token"),
        .client = client, .body = state->body, .body_size = state->size, .body_too_large = state->too_large,
        .header_count = 0,
    };
    MHD_get_connection_values(connection, MHD_HEADER_KIND, ls_count_header, &request.header_count);
    server->handler(server->context, &request, reply);
}

static enum MHD_Result ls_access(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls) {
    (void)version;
    struct ls_server *server = cls;
    struct ls_request_state *state = *con_cls;
    ls_http_reply reply = {0, NULL};
    if (!state) {
        state = calloc(1, sizeof *state);
        if (!state) return MHD_NO;
        *con_cls = state;
        const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        int is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
        int is_post = strcmp(method, "POST") == 0;
        if (length) {
            errno = 0;
            char *end = NULL;
            unsigned long long n = strtoull(length, &end, 10);
            if (errno || end == length || n > server->body_limit) state->too_large = 1;
        }
        /* Refused before any body is read: the handler answers at once (a bad method, too large
         * a body announced); MHD then closes the connection instead of reading the rest. */
        if (!(is_get || is_post) || state->too_large) {
            ls_dispatch(server, connection, url, method, state, &reply);
            return ls_queue(connection, &reply);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!state->too_large) {
            if (state->size + *upload_data_size > server->body_limit) {
                state->too_large = 1;
                free(state->body);
                state->body = NULL;
                state->size = 0;
            } else {
                uint8_t *grown = realloc(state->body, state->size + *upload_data_size);
                if (!grown) return MHD_NO;
                memcpy(grown + state->size, upload_data, *upload_data_size);
                state->body = grown;
                state->size += *upload_data_size;
            }
        }
        if (state->too_large) {
            /* Thrown away; the 413 goes out at the end of the upload (the last call below). */
            state->discarded += *upload_data_size;
            *upload_data_size = 0;
            if (state->discarded > ls_discard_limit(server)) {
                if (server->log) server->log(server->context, "an over-limit chunked body went on past the discard limit: connection dropped");
                return MHD_NO;
            }
            return MHD_YES;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    ls_dispatch(server, connection, url, method, state, &reply);
    return ls_queue(connection, &reply);
}

static void ls_completed(void *cls, struct MHD_Connection *connection, void **con_cls, enum MHD_RequestTerminationCode code) {
    (void)cls; (void)connection; (void)code;
    struct ls_request_state *state = *con_cls;
    if (state) {
        free(state->body);
        free(state);
        *con_cls = NULL;
    }
}

static void ls_logger(void *cls, const char *format, va_list ap) {
    struct ls_server *server = cls;
    char line[512];
    vsnprintf(line, sizeof line, format, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (server->log) server->log(server->context, line);
}

void *ls_http_start(const ls_http_options *options, ls_http_handler handler, ls_http_log log, void *context,
                    char *message, size_t message_size) {
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons(options->port);
    if (inet_pton(AF_INET, options->address, &address.sin_addr) != 1) {
        snprintf(message, message_size, "%s is not an IPv4 address", options->address);
        return NULL;
    }
    struct ls_server *server = calloc(1, sizeof *server);
    if (!server) {
        snprintf(message, message_size, "out of memory");
        return NULL;
    }
    server->handler = handler;
    server->log = log;
    server->context = context;
    server->body_limit = options->body_limit;
    errno = 0;
    server->daemon = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, options->port, NULL, NULL, ls_access, server,
        MHD_OPTION_EXTERNAL_LOGGER, ls_logger, server,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
        MHD_OPTION_CONNECTION_LIMIT, options->connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, options->per_ip_connection_limit,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, options->memory_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, options->timeout_seconds,
        MHD_OPTION_NOTIFY_COMPLETED, ls_completed, server,
        MHD_OPTION_END);
    if (!server->daemon) {
        snprintf(message, message_size, "cannot listen on %s:%u (%s)", options->address, (unsigned)options->port,
                 errno ? strerror(errno) : "libmicrohttpd refused the options");
        free(server);
        return NULL;
    }
    return server;
}

uint16_t ls_http_port(void *opaque) {
    struct ls_server *server = opaque;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void ls_http_stop(void *opaque) {
    struct ls_server *server = opaque;
    if (!server) return;
    MHD_stop_daemon(server->daemon);
    free(server);
}
