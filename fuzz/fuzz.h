/* Shared by the fuzz targets: the libFuzzer entry point they define, and a NUL-terminated
 * copy of the input (parsers of text want a C string; the copy lets ASan see overreads). */
#ifndef PINGAN_FUZZ_H
#define PINGAN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = '\0';
    }
    return s;
}

#endif
