/* The parts of CGPIOD.h that do not depend on the libgpiod version: waiting and the clock. */
#define _GNU_SOURCE
#include "CGPIOD.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

enum { LS_GPIO_POLL_MAX = 16 };

int ls_gpio_poll(const int *fds, int count, uint64_t timeout_ns, bool *readable) {
    if (count < 0 || count > LS_GPIO_POLL_MAX) { errno = EINVAL; return -1; }
    struct pollfd pfds[LS_GPIO_POLL_MAX];
    for (int i = 0; i < count; i++) {
        pfds[i].fd = fds[i];
        pfds[i].events = POLLIN | POLLPRI;
        pfds[i].revents = 0;
    }
    struct timespec timeout = {
        .tv_sec = (time_t)(timeout_ns / 1000000000u),
        .tv_nsec = (long)(timeout_ns % 1000000000u),
    };
    int rc = ppoll(pfds, (nfds_t)count, &timeout, NULL);
    if (rc < 0) return -1;
    for (int i = 0; i < count; i++) {
        readable[i] = (pfds[i].revents & (POLLIN | POLLPRI)) != 0;
        if (pfds[i].revents & (POLLERR | POLLNVAL)) { errno = EIO; return -1; }
    }
    return rc;
}
