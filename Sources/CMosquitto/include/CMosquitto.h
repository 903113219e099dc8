#ifndef LINESIDE_CMOSQUITTO_H
#define LINESIDE_CMOSQUITTO_H
/* One small C API over Debian's libmosquitto (1.6 / 2.0): a client driven by one thread that
 * calls ls_mqtt_loop itself (no libmosquitto thread), with libmosquitto's callbacks turned into
 * state the caller polls (connected, the last CONNACK code, acknowledged message ids).
 * Every function returns 0 on success or a MOSQ_ERR_* code (ls_mqtt_error_text names it). */
#include <stdbool.h>
#include <stdint.h>

typedef struct ls_mqtt ls_mqtt;

/** mosquitto_lib_init once per process (thread-safe). */
void ls_mqtt_library_init(void);

/** mosquitto_new with a clean session, MQTT 3.1.1. NULL on failure (errno set). */
ls_mqtt *ls_mqtt_new(const char *client_id);
/** mosquitto_disconnect (if connected) and mosquitto_destroy. */
void ls_mqtt_destroy(ls_mqtt *client);

/** mosquitto_username_pw_set; password may be NULL. */
int ls_mqtt_set_credentials(ls_mqtt *client, const char *username, const char *password);
/** mosquitto_tls_set (peer verification on); certfile/keyfile may both be NULL. */
int ls_mqtt_set_tls(ls_mqtt *client, const char *cafile, const char *certfile, const char *keyfile);
/** mosquitto_will_set. */
int ls_mqtt_set_will(ls_mqtt *client, const char *topic, const void *payload, int length, int qos, bool retain);
/** mosquitto_connect (blocking TCP/TLS connect; CONNACK comes through ls_mqtt_loop). */
int ls_mqtt_connect(ls_mqtt *client, const char *host, int port, int keepalive_seconds);
/** mosquitto_disconnect. */
int ls_mqtt_disconnect(ls_mqtt *client);
/** mosquitto_loop(timeout_ms, 1): network traffic and callbacks. */
int ls_mqtt_loop(ls_mqtt *client, int timeout_ms);
/** mosquitto_publish; *mid receives the message id. */
int ls_mqtt_publish(ls_mqtt *client, int *mid, const char *topic, const void *payload, int length, int qos, bool retain);

/** Polled callback state. */
bool ls_mqtt_connected(const ls_mqtt *client);
/** The CONNACK return code of the last connect (0 accepted), -1 before any. */
int ls_mqtt_last_connack(const ls_mqtt *client);
/** Whether the broker dropped the connection since the last call (clears the flag). */
bool ls_mqtt_take_disconnect(ls_mqtt *client, int *reason);
/** Pops up to `capacity` acknowledged message ids (PUBACK for QoS 1, sent for QoS 0); returns the count. */
int ls_mqtt_take_acks(ls_mqtt *client, int *mids, int capacity);

/** mosquitto_strerror / mosquitto_connack_string. */
const char *ls_mqtt_error_text(int code);
const char *ls_mqtt_connack_text(int code);
#endif
