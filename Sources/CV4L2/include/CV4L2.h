// libv4l2 (libv4l-dev) for Swift: fixed-argument wrappers of its variadic entry points, all
// prefixed lsv4l2_. libv4l2 sits in front of the kernel driver and converts YUYV and MJPEG into
// RGB24 when RGB24 is asked for; GREY passes through. Constants and structs: CV4L2Types.h.
#ifndef LINESIDE_CV4L2_H
#define LINESIDE_CV4L2_H

#include <libv4l2.h>
#include <CV4L2Types.h>

/// v4l2_open(path, flags): no mode argument (devices are never created).
static inline int lsv4l2_open(const char *path, int flags) { return v4l2_open(path, flags); }
/// v4l2_close(fd)
static inline int lsv4l2_close(int fd) { return v4l2_close(fd); }
/// v4l2_ioctl(fd, request, argument): the one pointer argument every VIDIOC_* request takes.
static inline int lsv4l2_ioctl(int fd, unsigned long request, void *argument) {
    return v4l2_ioctl(fd, request, argument);
}
/// v4l2_mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset) for a driver buffer.
static inline void *lsv4l2_mmap_buffer(int fd, size_t length, long long offset) {
    return v4l2_mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (int64_t)offset);
}
/// v4l2_munmap(address, length)
static inline int lsv4l2_munmap(void *address, size_t length) { return v4l2_munmap(address, length); }
/// MAP_FAILED as a value Swift can compare against.
static inline int lsv4l2_is_map_failed(const void *address) { return address == MAP_FAILED; }

#endif
