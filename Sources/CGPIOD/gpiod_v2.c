/*
 * CGPIOD.h over libgpiod 2.x (v2 API: gpiod_chip_request_lines with line settings and configs,
 * gpiod_line_request_*, edge event buffers). Debian trixie ships 2.2.1.
 *
 * v2 opens chips by path only: a name is /dev/<name>, a label is found by opening each
 * /dev/gpiochip* and comparing gpiod_chip_info_get_label. v2 has no chip iterator: the chip list
 * scans /dev itself.
 */
#define _GNU_SOURCE /* versionsort, before any system header */
#include "ls_gpiod_select.h"

#if LS_GPIOD_API == 2

#include "CGPIOD.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ls_gpio_chip {
    struct gpiod_chip *chip;
    char name[32];
    char label[64];
    unsigned int line_count;
};

struct ls_gpio_line {
    struct gpiod_line_request *request;
    struct gpiod_edge_event_buffer *events; /* NULL unless requested with edge events */
    unsigned int offset;
};

struct ls_gpio_chip_list {
    struct dirent **entries;
    int count;
    int next;
    ls_gpio_chip *current;
};

const char *ls_gpio_api_description(void) {
    static char text[64];
    if (text[0] == '\0') snprintf(text, sizeof text, "libgpiod %s (v2 API)", gpiod_api_version());
    return text;
}

static void ls_copy_text(char *dst, size_t size, const char *src) {
    if (src == NULL) { dst[0] = '\0'; return; }
    strncpy(dst, src, size - 1);
    dst[size - 1] = '\0';
}

/* Opens a chip by path and caches its name, label and line count (gpiod_chip_get_info). */
static ls_gpio_chip *ls_open_path(const char *path) {
    struct gpiod_chip *chip = gpiod_chip_open(path);
    if (chip == NULL) return NULL;
    struct gpiod_chip_info *info = gpiod_chip_get_info(chip);
    if (info == NULL) { int saved = errno; gpiod_chip_close(chip); errno = saved; return NULL; }
    ls_gpio_chip *result = calloc(1, sizeof *result);
    if (result == NULL) { gpiod_chip_info_free(info); gpiod_chip_close(chip); errno = ENOMEM; return NULL; }
    result->chip = chip;
    ls_copy_text(result->name, sizeof result->name, gpiod_chip_info_get_name(info));
    ls_copy_text(result->label, sizeof result->label, gpiod_chip_info_get_label(info));
    result->line_count = (unsigned int)gpiod_chip_info_get_num_lines(info);
    gpiod_chip_info_free(info);
    return result;
}

static int ls_is_chip_entry(const struct dirent *entry) {
    return strncmp(entry->d_name, "gpiochip", 8) == 0;
}

ls_gpio_chip_list *ls_gpio_chip_list_open(void) {
    ls_gpio_chip_list *list = calloc(1, sizeof *list);
    if (list == NULL) { errno = ENOMEM; return NULL; }
    list->count = scandir("/dev", &list->entries, ls_is_chip_entry, versionsort);
    if (list->count < 0) { int saved = errno; free(list); errno = saved; return NULL; }
    return list;
}

ls_gpio_chip *ls_gpio_chip_list_next(ls_gpio_chip_list *list) {
    ls_gpio_chip_close(list->current);
    list->current = NULL;
    while (list->next < list->count) {
        char path[300];
        snprintf(path, sizeof path, "/dev/%s", list->entries[list->next++]->d_name);
        if (!gpiod_is_gpiochip_device(path)) continue;
        list->current = ls_open_path(path);
        if (list->current != NULL) return list->current;
    }
    return NULL;
}

void ls_gpio_chip_list_close(ls_gpio_chip_list *list) {
    if (list == NULL) return;
    ls_gpio_chip_close(list->current);
    for (int i = 0; i < list->count; i++) free(list->entries[i]);
    free(list->entries);
    free(list);
}

ls_gpio_chip *ls_gpio_chip_open(ls_gpio_chip_by by, const char *identifier) {
    char path[300];
    switch (by) {
    case LS_GPIO_CHIP_BY_PATH:
        return ls_open_path(identifier);
    case LS_GPIO_CHIP_BY_NAME:
        snprintf(path, sizeof path, "/dev/%s", identifier);
        return ls_open_path(path);
    case LS_GPIO_CHIP_BY_LABEL: {
        ls_gpio_chip_list *list = ls_gpio_chip_list_open();
        if (list == NULL) return NULL;
        ls_gpio_chip *chip;
        while ((chip = ls_gpio_chip_list_next(list)) != NULL) {
            if (strcmp(chip->label, identifier) == 0) {
                list->current = NULL; /* keep it open */
                ls_gpio_chip_list_close(list);
                return chip;
            }
        }
        ls_gpio_chip_list_close(list);
        errno = ENOENT;
        return NULL;
    }
    default:
        errno = EINVAL;
        return NULL;
    }
}

void ls_gpio_chip_close(ls_gpio_chip *chip) {
    if (chip == NULL) return;
    gpiod_chip_close(chip->chip);
    free(chip);
}

const char *ls_gpio_chip_name(ls_gpio_chip *chip) { return chip->name; }
const char *ls_gpio_chip_label(ls_gpio_chip *chip) { return chip->label; }
unsigned int ls_gpio_chip_line_count(ls_gpio_chip *chip) { return chip->line_count; }

int ls_gpio_chip_line_info(ls_gpio_chip *chip, unsigned int offset, ls_gpio_line_info *info) {
    struct gpiod_line_info *line = gpiod_chip_get_line_info(chip->chip, offset);
    if (line == NULL) return -1;
    memset(info, 0, sizeof *info);
    info->offset = offset;
    ls_copy_text(info->name, sizeof info->name, gpiod_line_info_get_name(line));
    ls_copy_text(info->consumer, sizeof info->consumer, gpiod_line_info_get_consumer(line));
    info->direction = gpiod_line_info_get_direction(line) == GPIOD_LINE_DIRECTION_OUTPUT
                          ? LS_GPIO_DIRECTION_OUTPUT : LS_GPIO_DIRECTION_INPUT;
    info->active_low = gpiod_line_info_is_active_low(line);
    info->used = gpiod_line_info_is_used(line);
    gpiod_line_info_free(line);
    return 0;
}

/* One line, one request: settings -> line config -> request config -> gpiod_chip_request_lines. */
static ls_gpio_line *ls_request(ls_gpio_chip *chip, unsigned int offset, const char *consumer,
                                struct gpiod_line_settings *settings, bool edge_events) {
    ls_gpio_line *result = NULL;
    struct gpiod_line_config *line_config = gpiod_line_config_new();
    struct gpiod_request_config *request_config = gpiod_request_config_new();
    if (line_config == NULL || request_config == NULL) { errno = ENOMEM; goto done; }
    if (gpiod_line_config_add_line_settings(line_config, &offset, 1, settings) != 0) goto done;
    gpiod_request_config_set_consumer(request_config, consumer);
    result = calloc(1, sizeof *result);
    if (result == NULL) { errno = ENOMEM; goto done; }
    result->offset = offset;
    if (edge_events && (result->events = gpiod_edge_event_buffer_new(1)) == NULL) {
        free(result); result = NULL; errno = ENOMEM; goto done;
    }
    result->request = gpiod_chip_request_lines(chip->chip, request_config, line_config);
    if (result->request == NULL) {
        int saved = errno;
        gpiod_edge_event_buffer_free(result->events);
        free(result);
        result = NULL;
        errno = saved;
    }
done:
    {
        int saved = errno;
        gpiod_request_config_free(request_config);
        gpiod_line_config_free(line_config);
        gpiod_line_settings_free(settings);
        errno = saved;
    }
    return result;
}

ls_gpio_line *ls_gpio_request_output(ls_gpio_chip *chip, unsigned int offset, const char *consumer,
                                     bool active_low, int initial_value) {
    struct gpiod_line_settings *settings = gpiod_line_settings_new();
    if (settings == NULL) { errno = ENOMEM; return NULL; }
    gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT);
    gpiod_line_settings_set_active_low(settings, active_low);
    gpiod_line_settings_set_output_value(settings, initial_value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
    return ls_request(chip, offset, consumer, settings, false);
}

ls_gpio_line *ls_gpio_request_input(ls_gpio_chip *chip, unsigned int offset, const char *consumer,
                                    bool active_low, ls_gpio_bias bias, bool edge_events) {
    struct gpiod_line_settings *settings = gpiod_line_settings_new();
    if (settings == NULL) { errno = ENOMEM; return NULL; }
    gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT);
    gpiod_line_settings_set_active_low(settings, active_low);
    switch (bias) {
    case LS_GPIO_BIAS_DISABLED: gpiod_line_settings_set_bias(settings, GPIOD_LINE_BIAS_DISABLED); break;
    case LS_GPIO_BIAS_PULL_UP: gpiod_line_settings_set_bias(settings, GPIOD_LINE_BIAS_PULL_UP); break;
    case LS_GPIO_BIAS_PULL_DOWN: gpiod_line_settings_set_bias(settings, GPIOD_LINE_BIAS_PULL_DOWN); break;
    case LS_GPIO_BIAS_AS_IS: default: break;
    }
    if (edge_events) {
        gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH);
        gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC);
    }
    return ls_request(chip, offset, consumer, settings, edge_events);
}

void ls_gpio_release(ls_gpio_line *line) {
    if (line == NULL) return;
    gpiod_line_request_release(line->request);
    gpiod_edge_event_buffer_free(line->events);
    free(line);
}

int ls_gpio_set(ls_gpio_line *line, int value) {
    return gpiod_line_request_set_value(line->request, line->offset,
                                        value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
}

int ls_gpio_get(ls_gpio_line *line) {
    enum gpiod_line_value value = gpiod_line_request_get_value(line->request, line->offset);
    return value == GPIOD_LINE_VALUE_ERROR ? -1 : (value == GPIOD_LINE_VALUE_ACTIVE);
}

int ls_gpio_event_fd(ls_gpio_line *line) {
    return line->events ? gpiod_line_request_get_fd(line->request) : -1;
}

int ls_gpio_wait_event(ls_gpio_line *line, uint64_t timeout_ns) {
    return gpiod_line_request_wait_edge_events(line->request, (int64_t)timeout_ns);
}

int ls_gpio_read_event(ls_gpio_line *line, ls_gpio_event *event) {
    if (line->events == NULL) { errno = EINVAL; return -1; }
    int rc = gpiod_line_request_read_edge_events(line->request, line->events, 1);
    if (rc < 0) return -1;
    if (rc == 0) { errno = EAGAIN; return -1; }
    struct gpiod_edge_event *raw = gpiod_edge_event_buffer_get_event(line->events, 0);
    event->timestamp_ns = gpiod_edge_event_get_timestamp_ns(raw);
    event->rising = gpiod_edge_event_get_event_type(raw) == GPIOD_EDGE_EVENT_RISING_EDGE;
    return 0;
}

#endif /* LS_GPIOD_API == 2 */
