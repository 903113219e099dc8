#ifndef LINESIDE_CMICROHTTPD_H
#define LINESIDE_CMICROHTTPD_H
#include <stddef.h>
#include <stdint.h>

/// A small C API over libmicrohttpd (Debian's 0.9.75): one internal polling thread, limits set
/// as daemon options, each request handed whole (method, path, token header, client address,
/// body up to a bound) to one callback that answers through `ls_http_reply_set`.

typedef struct {
    const char *method;
    /// The request path as the client sent it (no query string), NUL-terminated bytes.
    const char *path;
    const char *query;          /* the raw "limit=20" part after '?', or "" */
    const char *token;          /* the X-Lineside-Token header, or NULL */
    const char *client;         /* dotted IPv4 (or "?") */
    const uint8_t *body;
    size_t body_size;
    int body_too_large;         /* 1: more than the body limit was sent or announced (body dropped) */
    int header_count;
} ls_http_request;

typedef struct ls_http_reply ls_http_reply;

/// Sets the answer (the body is copied). `extra_name`/`extra_value` may be NULL.
void ls_http_reply_set(ls_http_reply *reply, int status, const char *content_type, const uint8_t *body, size_t size,
                       const char *cache_control);

typedef void (*ls_http_handler)(void *context, const ls_http_request *request, ls_http_reply *reply);
typedef void (*ls_http_log)(void *context, const char *line);

typedef struct {
    const char *address;        /* dotted IPv4 */
    uint16_t port;
    unsigned connection_limit;
    unsigned per_ip_connection_limit;
    size_t memory_limit;        /* per connection: request line and headers (MHD_OPTION_CONNECTION_MEMORY_LIMIT) */
    unsigned timeout_seconds;
    size_t body_limit;
} ls_http_options;

/// Starts the server (its own thread). NULL on failure with a one-line reason in `message`.
void *ls_http_start(const ls_http_options *options, ls_http_handler handler, ls_http_log log, void *context,
                    char *message, size_t message_size);
/// The port actually bound (for port 0), 0 if unknown.
uint16_t ls_http_port(void *server);
void ls_http_stop(void *server);

#endif
