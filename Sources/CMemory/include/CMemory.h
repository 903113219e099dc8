#ifndef LINESIDE_CMEMORY_H
#define LINESIDE_CMEMORY_H
/* glibc's allocator controls, which the Swift Glibc module does not import (malloc.h). */
#include <stddef.h>

/** mallopt(M_MMAP_THRESHOLD, bytes): allocations of at least `bytes` get their own mapping and go
 *  back to the system when freed (a fixed threshold also stops glibc raising it after a free).
 *  Returns 1 on success. */
int ls_memory_map_allocations_from(size_t bytes);
/** malloc_trim(0): returns free heap memory to the system. 1 if any was returned. */
int ls_memory_trim(void);
/** mtrace() / muntrace(): while on, every malloc, realloc and free of every thread is written to
 *  the file named by $MALLOC_TRACE ("+ address size" per allocation). Only active when glibc's
 *  libc_malloc_debug.so is preloaded (LD_PRELOAD); otherwise both do nothing. Benchmarks use it to
 *  check that the frame path allocates nothing. */
void ls_memory_trace_begin(void);
void ls_memory_trace_end(void);
/** setpriority on the calling thread (Linux: per thread): 0 on success. */
int ls_thread_set_nice(int nice);
/** The calling thread to SCHED_IDLE (runs only on a CPU nothing else wants; any thread may lower
 *  itself to it): 0 on success, else the error number. */
int ls_thread_set_idle(void);
#endif
