/* bp-error.h — errors as values for the Backprop engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine never prints and never exits on bad input: a function that can fail takes a
 * BpError * (which may be NULL when the caller does not care) and fills it with a code and a
 * one-line message that names the file and the problem.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Element-wise loops that the compiler vectorises get AVX-512 and AVX2 clones, picked at load
 * time for the CPU at hand; the default build still runs on any x86-64. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__) \
    && !defined(__SANITIZE_THREAD__)
#define BP_TARGET_CLONES __attribute__ ((target_clones ("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define BP_TARGET_CLONES
#endif

typedef enum
{
  BP_ERROR_NONE = 0,
  BP_ERROR_IO,        /* a file could not be opened, read or written */
  BP_ERROR_FORMAT,    /* a file's bytes are not what they claim to be */
  BP_ERROR_INVALID,   /* an argument or hyperparameter is out of range */
  BP_ERROR_NOMEM,     /* an allocation failed or a size overflowed */
  BP_ERROR_DIVERGED,  /* training produced NaN or infinite values */
  BP_ERROR_CANCELLED, /* the caller's cancel flag was raised */
} BpErrorCode;

#define BP_ERROR_MESSAGE_MAX 1024

typedef struct
{
  BpErrorCode code;
  char message[BP_ERROR_MESSAGE_MAX];
} BpError;

/* Fill @error (if not NULL) with @code and a printf-style message. Returns false, so that
 * `return bp_error_set (...)` reads naturally in functions returning bool. */
bool bp_error_set (BpError    *error,
                   BpErrorCode code,
                   const char *format,
                   ...) __attribute__ ((format (printf, 3, 4)));

/* Prefix the message already in @error with a printf-style context ("loading X: ..."). */
void bp_error_prefix (BpError    *error,
                      const char *format,
                      ...) __attribute__ ((format (printf, 2, 3)));

/* Reset @error to BP_ERROR_NONE with an empty message. */
void bp_error_clear (BpError *error);

#ifdef __cplusplus
}
#endif
