#define _GNU_SOURCE  /* SCHED_IDLE */
#include "CMemory.h"
#include <malloc.h>
#include <mcheck.h>

int ls_memory_map_allocations_from(size_t bytes) { return mallopt(M_MMAP_THRESHOLD, (int)bytes); }
int ls_memory_trim(void) { return malloc_trim(0); }
void ls_memory_trace_begin(void) { mtrace(); }
void ls_memory_trace_end(void) { muntrace(); }

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
int ls_thread_set_nice(int nice) { return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice); }

#include <pthread.h>
#include <sched.h>
int ls_thread_set_idle(void) {
    struct sched_param none = {0};
    return pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);
}
