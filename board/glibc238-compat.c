// glibc 2.38 symbols referenced by Debian's (trixie/sid) static Swift runtime, supplied for
// bookworm's glibc 2.36. Linked as an object into aarch64 builds by the Swift SDK's toolset.
// C23 changed strtol/sscanf only for "0b" prefixes and %b, which the Swift runtime never parses,
// so forwarding to the 2.36 functions is exact for its use.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long __isoc23_strtol(const char *nptr, char **endptr, int base) { return strtol(nptr, endptr, base); }
long long __isoc23_strtoll(const char *nptr, char **endptr, int base) { return strtoll(nptr, endptr, base); }
unsigned long __isoc23_strtoul(const char *nptr, char **endptr, int base) { return strtoul(nptr, endptr, base); }
unsigned long long __isoc23_strtoull(const char *nptr, char **endptr, int base) { return strtoull(nptr, endptr, base); }

int __isoc23_sscanf(const char *str, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int n = vsscanf(str, format, args);
    va_end(args);
    return n;
}

// BSD strlcpy (glibc >= 2.38): copies at most size-1 bytes, always terminates, returns strlen(src).
size_t strlcpy(char *dst, const char *src, size_t size) {
    size_t len = strlen(src);
    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
