/*
 * CGPIOD.h over libgpiod 1.x (v1 API: gpiod_chip_open_by_*, gpiod_line_request_*_flags,
 * gpiod_line_event_*). Debian bookworm ships 1.6.3.
 */
#include "ls_gpiod_select.h"

#if LS_GPIOD_API == 1

#include "CGPIOD.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ls_gpio_chip {
    struct gpiod_chip *chip;
};

struct ls_gpio_line {
    struct gpiod_line *line;
};

struct ls_gpio_chip_list {
    struct gpiod_chip_iter *iter;
    struct ls_gpio_chip current; /* borrowed from iter; valid until the next call */
};

const char *ls_gpio_api_description(void) {
    static char text[64];
    if (text[0] == '\0') {
        const char *version = gpiod_version_string();
        strncpy(text, "libgpiod ", sizeof text - 1);
        strncat(text, version ? version : "1.x", sizeof text - strlen(text) - 1);
        strncat(text, " (v1 API)", sizeof text - strlen(text) - 1);
    }
    return text;
}

ls_gpio_chip *ls_gpio_chip_open(ls_gpio_chip_by by, const char *identifier) {
    struct gpiod_chip *chip = NULL;
    errno = 0;
    switch (by) {
    case LS_GPIO_CHIP_BY_NAME: chip = gpiod_chip_open_by_name(identifier); break;
    case LS_GPIO_CHIP_BY_LABEL: chip = gpiod_chip_open_by_label(identifier); break;
    case LS_GPIO_CHIP_BY_PATH: chip = gpiod_chip_open(identifier); break;
    default: errno = EINVAL; return NULL;
    }
    if (chip == NULL) {
        if (errno == 0) errno = ENOENT;
        return NULL;
    }
    ls_gpio_chip *result = malloc(sizeof *result);
    if (result == NULL) {
        gpiod_chip_close(chip);
        errno = ENOMEM;
        return NULL;
    }
    result->chip = chip;
    return result;
}

void ls_gpio_chip_close(ls_gpio_chip *chip) {
    if (chip == NULL) return;
    gpiod_chip_close(chip->chip);
    free(chip);
}

const char *ls_gpio_chip_name(ls_gpio_chip *chip) { return gpiod_chip_name(chip->chip); }
const char *ls_gpio_chip_label(ls_gpio_chip *chip) { return gpiod_chip_label(chip->chip); }
unsigned int ls_gpio_chip_line_count(ls_gpio_chip *chip) { return gpiod_chip_num_lines(chip->chip); }

static void ls_copy_text(char *dst, size_t size, const char *src) {
    if (src == NULL) { dst[0] = '\0'; return; }
    strncpy(dst, src, size - 1);
    dst[size - 1] = '\0';
}

int ls_gpio_chip_line_info(ls_gpio_chip *chip, unsigned int offset, ls_gpio_line_info *info) {
    struct gpiod_line *line = gpiod_chip_get_line(chip->chip, offset);
    if (line == NULL) return -1;
    memset(info, 0, sizeof *info);
    info->offset = offset;
    ls_copy_text(info->name, sizeof info->name, gpiod_line_name(line));
    ls_copy_text(info->consumer, sizeof info->consumer, gpiod_line_consumer(line));
    info->direction = gpiod_line_direction(line) == GPIOD_LINE_DIRECTION_OUTPUT
                          ? LS_GPIO_DIRECTION_OUTPUT : LS_GPIO_DIRECTION_INPUT;
    info->active_low = gpiod_line_active_state(line) == GPIOD_LINE_ACTIVE_STATE_LOW;
    info->used = gpiod_line_is_used(line);
    return 0;
}

static ls_gpio_line *ls_wrap_line(struct gpiod_line *line) {
    ls_gpio_line *result = malloc(sizeof *result);
    if (result == NULL) {
        gpiod_line_release(line);
        errno = ENOMEM;
        return NULL;
    }
    result->line = line;
    return result;
}

ls_gpio_line *ls_gpio_request_output(ls_gpio_chip *chip, unsigned int offset, const char *consumer,
                                     bool active_low, int initial_value) {
    struct gpiod_line *line = gpiod_chip_get_line(chip->chip, offset);
    if (line == NULL) return NULL;
    int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
    if (gpiod_line_request_output_flags(line, consumer, flags, initial_value ? 1 : 0) != 0) return NULL;
    return ls_wrap_line(line);
}

static int ls_bias_flags(ls_gpio_bias bias) {
    switch (bias) {
    case LS_GPIO_BIAS_DISABLED: return GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
    case LS_GPIO_BIAS_PULL_UP: return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
    case LS_GPIO_BIAS_PULL_DOWN: return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
    case LS_GPIO_BIAS_AS_IS:
    default: return 0;
    }
}

ls_gpio_line *ls_gpio_request_input(ls_gpio_chip *chip, unsigned int offset, const char *consumer,
                                    bool active_low, ls_gpio_bias bias, bool edge_events) {
    struct gpiod_line *line = gpiod_chip_get_line(chip->chip, offset);
    if (line == NULL) return NULL;
    int flags = (active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0) | ls_bias_flags(bias);
    int rc = edge_events ? gpiod_line_request_both_edges_events_flags(line, consumer, flags)
                         : gpiod_line_request_input_flags(line, consumer, flags);
    if (rc != 0) return NULL;
    return ls_wrap_line(line);
}

void ls_gpio_release(ls_gpio_line *line) {
    if (line == NULL) return;
    gpiod_line_release(line->line);
    free(line);
}

int ls_gpio_set(ls_gpio_line *line, int value) { return gpiod_line_set_value(line->line, value ? 1 : 0); }
int ls_gpio_get(ls_gpio_line *line) { return gpiod_line_get_value(line->line); }
int ls_gpio_event_fd(ls_gpio_line *line) { return gpiod_line_event_get_fd(line->line); }

int ls_gpio_wait_event(ls_gpio_line *line, uint64_t timeout_ns) {
    struct timespec timeout = {
        .tv_sec = (time_t)(timeout_ns / 1000000000u),
        .tv_nsec = (long)(timeout_ns % 1000000000u),
    };
    return gpiod_line_event_wait(line->line, &timeout);
}

int ls_gpio_read_event(ls_gpio_line *line, ls_gpio_event *event) {
    struct gpiod_line_event raw;
    if (gpiod_line_event_read(line->line, &raw) != 0) return -1;
    event->timestamp_ns = (uint64_t)raw.ts.tv_sec * 1000000000u + (uint64_t)raw.ts.tv_nsec;
    event->rising = raw.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
    return 0;
}

ls_gpio_chip_list *ls_gpio_chip_list_open(void) {
    struct gpiod_chip_iter *iter = gpiod_chip_iter_new();
    if (iter == NULL) return NULL;
    ls_gpio_chip_list *list = calloc(1, sizeof *list);
    if (list == NULL) {
        gpiod_chip_iter_free(iter);
        errno = ENOMEM;
        return NULL;
    }
    list->iter = iter;
    return list;
}

ls_gpio_chip *ls_gpio_chip_list_next(ls_gpio_chip_list *list) {
    struct gpiod_chip *chip = gpiod_chip_iter_next(list->iter);
    if (chip == NULL) return NULL;
    list->current.chip = chip;
    return &list->current;
}

void ls_gpio_chip_list_close(ls_gpio_chip_list *list) {
    if (list == NULL) return;
    gpiod_chip_iter_free(list->iter);
    free(list);
}

#endif /* LS_GPIOD_API == 1 */
