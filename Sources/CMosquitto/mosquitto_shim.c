#include "CMosquitto.h"
#include <errno.h>
#include <mosquitto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LS_ACK_CAPACITY 4096

struct ls_mqtt {
    struct mosquitto *mosq;
    bool connected;
    int last_connack;
    bool dropped;
    int drop_reason;
    /* ring of acknowledged message ids, filled by on_publish inside ls_mqtt_loop */
    int acks[LS_ACK_CAPACITY];
    int ack_head, ack_count;
};

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static void library_init_once(void) { mosquitto_lib_init(); }
void ls_mqtt_library_init(void) { pthread_once(&library_once, library_init_once); }

static void on_connect(struct mosquitto *mosq, void *obj, int rc) {
    (void)mosq;
    ls_mqtt *c = obj;
    c->last_connack = rc;
    c->connected = (rc == 0);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc) {
    (void)mosq;
    ls_mqtt *c = obj;
    c->connected = false;
    c->dropped = true;
    c->drop_reason = rc;
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid) {
    (void)mosq;
    ls_mqtt *c = obj;
    if (c->ack_count == LS_ACK_CAPACITY) { /* the caller drains after every loop; never expected */
        c->ack_head = (c->ack_head + 1) % LS_ACK_CAPACITY;
        c->ack_count--;
    }
    c->acks[(c->ack_head + c->ack_count) % LS_ACK_CAPACITY] = mid;
    c->ack_count++;
}

ls_mqtt *ls_mqtt_new(const char *client_id) {
    ls_mqtt_library_init();
    ls_mqtt *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->last_connack = -1;
    c->mosq = mosquitto_new(client_id, true, c);
    if (!c->mosq) { int saved = errno; free(c); errno = saved; return NULL; }
    mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_connect_callback_set(c->mosq, on_connect);
    mosquitto_disconnect_callback_set(c->mosq, on_disconnect);
    mosquitto_publish_callback_set(c->mosq, on_publish);
    return c;
}

void ls_mqtt_destroy(ls_mqtt *c) {
    if (!c) return;
    if (c->connected) mosquitto_disconnect(c->mosq);
    mosquitto_destroy(c->mosq);
    free(c);
}

int ls_mqtt_set_credentials(ls_mqtt *c, const char *username, const char *password) {
    return mosquitto_username_pw_set(c->mosq, username, password);
}

int ls_mqtt_set_tls(ls_mqtt *c, const char *cafile, const char *certfile, const char *keyfile) {
    return mosquitto_tls_set(c->mosq, cafile, NULL, certfile, keyfile, NULL);
}

int ls_mqtt_set_will(ls_mqtt *c, const char *topic, const void *payload, int length, int qos, bool retain) {
    return mosquitto_will_set(c->mosq, topic, length, payload, qos, retain);
}

int ls_mqtt_connect(ls_mqtt *c, const char *host, int port, int keepalive_seconds) {
    c->connected = false;
    c->last_connack = -1;
    return mosquitto_connect(c->mosq, host, port, keepalive_seconds);
}

int ls_mqtt_disconnect(ls_mqtt *c) { return mosquitto_disconnect(c->mosq); }

int ls_mqtt_loop(ls_mqtt *c, int timeout_ms) { return mosquitto_loop(c->mosq, timeout_ms, 1); }

int ls_mqtt_publish(ls_mqtt *c, int *mid, const char *topic, const void *payload, int length, int qos, bool retain) {
    return mosquitto_publish(c->mosq, mid, topic, length, payload, qos, retain);
}

bool ls_mqtt_connected(const ls_mqtt *c) { return c->connected; }
int ls_mqtt_last_connack(const ls_mqtt *c) { return c->last_connack; }

bool ls_mqtt_take_disconnect(ls_mqtt *c, int *reason) {
    bool dropped = c->dropped;
    if (reason) *reason = c->drop_reason;
    c->dropped = false;
    return dropped;
}

int ls_mqtt_take_acks(ls_mqtt *c, int *mids, int capacity) {
    int n = 0;
    while (n < capacity && c->ack_count > 0) {
        mids[n++] = c->acks[c->ack_head];
        c->ack_head = (c->ack_head + 1) % LS_ACK_CAPACITY;
        c->ack_count--;
    }
    return n;
}

const char *ls_mqtt_error_text(int code) { return mosquitto_strerror(code); }
const char *ls_mqtt_connack_text(int code) { return mosquitto_connack_string(code); }
