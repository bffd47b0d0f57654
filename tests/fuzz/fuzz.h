/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The entry point every fuzz target defines: libFuzzer's, so one source
 * builds as a libFuzzer binary (clang -fsanitize=fuzzer, "make fuzz") and as a
 * replay of the seed corpus through replay.c (gcc + ASan, in "make check").
 */
#ifndef FB_FUZZ_H
#define FB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a NUL-terminated string (NULs inside kept); free() it. */
char *fuzz_string(const uint8_t *data, size_t size);
/* data in a memfd, for code that opens a path: "/proc/self/fd/N"; -1 on failure. */
int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t len);

#endif
