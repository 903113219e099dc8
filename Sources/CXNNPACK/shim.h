// XNNPACK (libxnnpack-dev, 2022 snapshot) and pthreadpool (libpthreadpool-dev) from Debian.
// Neither ships a pkg-config file, so the module map links them by name.
#include <xnnpack.h>
#include <pthreadpool.h>
