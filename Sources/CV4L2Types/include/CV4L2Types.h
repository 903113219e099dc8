// Kernel V4L2 UAPI (linux/videodev2.h, from linux-libc-dev) for Swift: the structs import as they
// are; the function-like macros Swift cannot import (VIDIOC_* built with _IOWR, V4L2_PIX_FMT_* built
// with v4l2_fourcc) and the V4L2_CID_* sums are re-exported here as static const values, all
// prefixed lsv4l2_. Header only: no library is linked, so the pure capture logic and its fakes
// can use the kernel's struct layouts without libv4l2.
#ifndef LINESIDE_CV4L2TYPES_H
#define LINESIDE_CV4L2TYPES_H

#include <linux/videodev2.h>
#include <poll.h>
#include <fcntl.h>
#include <sys/mman.h>

// ioctl request codes
static const unsigned long lsv4l2_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
static const unsigned long lsv4l2_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
static const unsigned long lsv4l2_VIDIOC_ENUM_FRAMESIZES = VIDIOC_ENUM_FRAMESIZES;
static const unsigned long lsv4l2_VIDIOC_ENUM_FRAMEINTERVALS = VIDIOC_ENUM_FRAMEINTERVALS;
static const unsigned long lsv4l2_VIDIOC_G_FMT = VIDIOC_G_FMT;
static const unsigned long lsv4l2_VIDIOC_S_FMT = VIDIOC_S_FMT;
static const unsigned long lsv4l2_VIDIOC_TRY_FMT = VIDIOC_TRY_FMT;
static const unsigned long lsv4l2_VIDIOC_G_PARM = VIDIOC_G_PARM;
static const unsigned long lsv4l2_VIDIOC_S_PARM = VIDIOC_S_PARM;
static const unsigned long lsv4l2_VIDIOC_QUERYCTRL = VIDIOC_QUERYCTRL;
static const unsigned long lsv4l2_VIDIOC_QUERY_EXT_CTRL = VIDIOC_QUERY_EXT_CTRL;
static const unsigned long lsv4l2_VIDIOC_QUERYMENU = VIDIOC_QUERYMENU;
static const unsigned long lsv4l2_VIDIOC_G_CTRL = VIDIOC_G_CTRL;
static const unsigned long lsv4l2_VIDIOC_S_CTRL = VIDIOC_S_CTRL;
static const unsigned long lsv4l2_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
static const unsigned long lsv4l2_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
static const unsigned long lsv4l2_VIDIOC_QBUF = VIDIOC_QBUF;
static const unsigned long lsv4l2_VIDIOC_DQBUF = VIDIOC_DQBUF;
static const unsigned long lsv4l2_VIDIOC_STREAMON = VIDIOC_STREAMON;
static const unsigned long lsv4l2_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;

// pixel formats (fourcc)
static const __u32 lsv4l2_PIX_FMT_YUYV = V4L2_PIX_FMT_YUYV;
static const __u32 lsv4l2_PIX_FMT_MJPEG = V4L2_PIX_FMT_MJPEG;
static const __u32 lsv4l2_PIX_FMT_RGB24 = V4L2_PIX_FMT_RGB24;
static const __u32 lsv4l2_PIX_FMT_GREY = V4L2_PIX_FMT_GREY;

// controls
static const __u32 lsv4l2_CID_BRIGHTNESS = V4L2_CID_BRIGHTNESS;
static const __u32 lsv4l2_CID_AUTOGAIN = V4L2_CID_AUTOGAIN;
static const __u32 lsv4l2_CID_GAIN = V4L2_CID_GAIN;
static const __u32 lsv4l2_CID_AUTO_WHITE_BALANCE = V4L2_CID_AUTO_WHITE_BALANCE;
static const __u32 lsv4l2_CID_WHITE_BALANCE_TEMPERATURE = V4L2_CID_WHITE_BALANCE_TEMPERATURE;
static const __u32 lsv4l2_CID_EXPOSURE_AUTO = V4L2_CID_EXPOSURE_AUTO;
static const __u32 lsv4l2_CID_EXPOSURE_ABSOLUTE = V4L2_CID_EXPOSURE_ABSOLUTE;
static const __u32 lsv4l2_CID_FOCUS_AUTO = V4L2_CID_FOCUS_AUTO;
static const __u32 lsv4l2_CID_FOCUS_ABSOLUTE = V4L2_CID_FOCUS_ABSOLUTE;
static const __s32 lsv4l2_EXPOSURE_MANUAL = V4L2_EXPOSURE_MANUAL;
static const __u32 lsv4l2_CTRL_FLAG_NEXT_CTRL = V4L2_CTRL_FLAG_NEXT_CTRL;
static const __u32 lsv4l2_CTRL_FLAG_DISABLED = V4L2_CTRL_FLAG_DISABLED;

// buffer flags
static const __u32 lsv4l2_BUF_FLAG_ERROR = V4L2_BUF_FLAG_ERROR;
static const __u32 lsv4l2_BUF_FLAG_TIMESTAMP_MASK = V4L2_BUF_FLAG_TIMESTAMP_MASK;
static const __u32 lsv4l2_BUF_FLAG_TIMESTAMP_MONOTONIC = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;

#endif
