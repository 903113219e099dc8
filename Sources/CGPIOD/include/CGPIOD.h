/*
 * CGPIOD: lineside's own small GPIO API over libgpiod.
 *
 * Swift sees only these ls_gpio_* calls and plain structs; it never sees a libgpiod type, so the
 * libgpiod major version is a private matter of this target:
 *   - gpiod_v1.c implements this API over libgpiod 1.x (Debian bookworm: 1.6.3),
 *   - gpiod_v2.c is the slot for libgpiod 2.x (Debian trixie and newer).
 * Exactly one of them compiles to code; ls_gpiod_select.h decides from the installed <gpiod.h>.
 *
 * Conventions: values are LOGICAL (active-low is applied by the kernel through the request flags);
 * every call that can fail returns NULL or -1 and leaves the C errno set, EINTR included: the
 * Swift driver retries interrupted calls through Platform's one EINTR helper (valueOrErrno).
 */
#ifndef LINESIDE_CGPIOD_H
#define LINESIDE_CGPIOD_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An open GPIO chip (/dev/gpiochipN). Opaque. */
typedef struct ls_gpio_chip ls_gpio_chip;
/** One requested line (exclusively held until ls_gpio_release). Opaque. */
typedef struct ls_gpio_line ls_gpio_line;
/** An iteration over all chips of the system, for probing. Opaque. */
typedef struct ls_gpio_chip_list ls_gpio_chip_list;

/** How ls_gpio_chip_open interprets its identifier. */
typedef enum {
    LS_GPIO_CHIP_BY_NAME = 0,  /**< "gpiochip0": opened as /dev/gpiochip0 */
    LS_GPIO_CHIP_BY_LABEL = 1, /**< "pinctrl-bcm2711": the chip whose label matches */
    LS_GPIO_CHIP_BY_PATH = 2,  /**< "/dev/gpiochip0" */
} ls_gpio_chip_by;

typedef enum {
    LS_GPIO_BIAS_AS_IS = 0,
    LS_GPIO_BIAS_DISABLED = 1,
    LS_GPIO_BIAS_PULL_UP = 2,
    LS_GPIO_BIAS_PULL_DOWN = 3,
} ls_gpio_bias;

typedef enum {
    LS_GPIO_DIRECTION_INPUT = 0,
    LS_GPIO_DIRECTION_OUTPUT = 1,
} ls_gpio_direction;

/** One edge event read from the kernel. */
typedef struct {
    /** Kernel timestamp in ns (CLOCK_MONOTONIC on Linux >= 5.7, the clock V4L2 buffers use). */
    uint64_t timestamp_ns;
    /** true: the line became active (logical rising edge); false: it became inactive. */
    bool rising;
} ls_gpio_event;

/** What the kernel reports about one line of a chip (for probing; nothing is requested). */
typedef struct {
    unsigned int offset;
    char name[32];     /**< empty when the line has no name */
    char consumer[32]; /**< empty when the line is free */
    ls_gpio_direction direction;
    bool active_low;
    bool used;
} ls_gpio_line_info;

/** "libgpiod 1.6.3 (v1 API)" or "libgpiod 2.x (v2 API)": which implementation was compiled. */
const char *ls_gpio_api_description(void);

/** Opens a chip. v1: gpiod_chip_open_by_name / _by_label / gpiod_chip_open. NULL + errno on failure
 *  (ENOENT when no chip has that name or label). */
ls_gpio_chip *ls_gpio_chip_open(ls_gpio_chip_by by, const char *identifier);
/** Closes a chip. Lines requested from it must be released first. */
void ls_gpio_chip_close(ls_gpio_chip *chip);
/** The chip's name ("gpiochip0"), label ("pinctrl-bcm2711") and number of lines. */
const char *ls_gpio_chip_name(ls_gpio_chip *chip);
const char *ls_gpio_chip_label(ls_gpio_chip *chip);
unsigned int ls_gpio_chip_line_count(ls_gpio_chip *chip);
/** Fills *info for one line without requesting it. 0, or -1 + errno. */
int ls_gpio_chip_line_info(ls_gpio_chip *chip, unsigned int offset, ls_gpio_line_info *info);

/** Requests a line as an output driven to `initial_value` (logical) from the first instant.
 *  v1: gpiod_line_request_output_flags. NULL + errno on failure (EBUSY when another consumer has it). */
ls_gpio_line *ls_gpio_request_output(ls_gpio_chip *chip, unsigned int offset, const char *consumer,
                                     bool active_low, int initial_value);
/** Requests a line as an input; with `edge_events` the kernel queues both edges with timestamps.
 *  v1: gpiod_line_request_input_flags / gpiod_line_request_both_edges_events_flags. */
ls_gpio_line *ls_gpio_request_input(ls_gpio_chip *chip, unsigned int offset, const char *consumer,
                                    bool active_low, ls_gpio_bias bias, bool edge_events);
/** Releases a requested line (the kernel then applies its own release policy: see board/gpio.md). */
void ls_gpio_release(ls_gpio_line *line);

/** Drives an output line (logical value). v1: gpiod_line_set_value. 0, or -1 + errno. */
int ls_gpio_set(ls_gpio_line *line, int value);
/** Reads a line (logical value). v1: gpiod_line_get_value. 0/1, or -1 + errno. */
int ls_gpio_get(ls_gpio_line *line);
/** The file descriptor that becomes readable (POLLIN) when an edge event is queued; -1 if the line
 *  was not requested with edge events. v1: gpiod_line_event_get_fd. */
int ls_gpio_event_fd(ls_gpio_line *line);
/** Waits up to timeout_ns for an event on one line. 1 = event ready, 0 = timed out, -1 + errno.
 *  v1: gpiod_line_event_wait. */
int ls_gpio_wait_event(ls_gpio_line *line, uint64_t timeout_ns);
/** Reads one queued event (blocks if none is queued). v1: gpiod_line_event_read. 0, or -1 + errno
 *  (EINTR included: the Swift caller retries it, in Platform's one EINTR helper). */
int ls_gpio_read_event(ls_gpio_line *line, ls_gpio_event *event);

/** Starts iterating over every chip of the system (v1: gpiod_chip_iter_new, which scans /dev).
 *  NULL + errno on failure. A system without chips gives a list that yields nothing. */
ls_gpio_chip_list *ls_gpio_chip_list_open(void);
/** The next chip, or NULL at the end. The chip belongs to the list and is valid until the next
 *  call or ls_gpio_chip_list_close. */
ls_gpio_chip *ls_gpio_chip_list_next(ls_gpio_chip_list *list);
void ls_gpio_chip_list_close(ls_gpio_chip_list *list);

/** Waits up to timeout_ns until one of `fds` is readable (ppoll; no fds: a plain sleep).
 *  readable[i] is set for each ready fd. Returns the number ready (0 on timeout), or -1 + errno
 *  (EINTR when a signal arrived: the caller decides whether to wait again). Not libgpiod: common.c. */
int ls_gpio_poll(const int *fds, int count, uint64_t timeout_ns, bool *readable);

#ifdef __cplusplus
}
#endif

#endif /* LINESIDE_CGPIOD_H */
