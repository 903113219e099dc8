#include "CMemory.h"
#include <malloc.h>

int ls_memory_map_allocations_from(size_t bytes) { return mallopt(M_MMAP_THRESHOLD, (int)bytes); }
int ls_memory_trim(void) { return malloc_trim(0); }
