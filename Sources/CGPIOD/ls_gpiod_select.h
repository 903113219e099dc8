/*
 * Chooses which libgpiod implementation of CGPIOD.h compiles, from the installed <gpiod.h>.
 *
 * libgpiod 1.x defines the gpiod_foreach_chip iteration macro; libgpiod 2.x removed chip iterators
 * (together with gpiod_line_request_*), so its header does not. A build may also force the choice
 * with -DLS_GPIOD_API=1 or -DLS_GPIOD_API=2 (cSettings .define in Package.swift).
 */
#ifndef LINESIDE_LS_GPIOD_SELECT_H
#define LINESIDE_LS_GPIOD_SELECT_H

#include <gpiod.h>

#ifndef LS_GPIOD_API
#  ifdef gpiod_foreach_chip
#    define LS_GPIOD_API 1
#  else
#    define LS_GPIOD_API 2
#  endif
#endif

#endif
