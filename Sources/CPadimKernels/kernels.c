#include "CPadimKernels.h"
