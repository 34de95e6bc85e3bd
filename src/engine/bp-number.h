/* bp-number.h — numbers as text in the C locale's form, whatever the process's locale
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The text forms of runs and layer lists ("eta 0.5", "fc30:dropout=0.5") read and write the same
 * under any LC_NUMERIC: the app runs under the user's locale, where the decimal point may be a
 * comma.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The whole of @text as a finite number ("0.5", "-3", "1e-3"; no leading space, nothing after
 * it). False for anything else, NaN and ∞ included. */
bool bp_number_parse (const char *text,
                      double     *out);

/* The leading number of @text into @out, *@end just after it; false (and *@end = @text) when
 * @text does not start with a finite number. */
bool bp_number_parse_prefix (const char  *text,
                             double      *out,
                             const char **end);

/* @value with the fewest significant digits (6 … 9, as "%g" writes them) that read back as the
 * same float: "0.5", "3", "1e-06". Cut to @buf_size like snprintf. */
void bp_number_format_float (float   value,
                             char   *buf,
                             size_t  buf_size);

#ifdef __cplusplus
}
#endif
