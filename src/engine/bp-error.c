/* bp-error.c — errors as values for the Backprop engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-error.h"

#include <stdio.h>
#include <string.h>

bool
bp_error_set (BpError    *error,
              BpErrorCode code,
              const char *format,
              ...)
{
  va_list args;

  if (error == NULL)
    return false;

  error->code = code;
  va_start (args, format);
  vsnprintf (error->message, sizeof error->message, format, args);
  va_end (args);

  return false;
}

void
bp_error_prefix (BpError    *error,
                 const char *format,
                 ...)
{
  char prefix[BP_ERROR_MESSAGE_MAX];
  char joined[BP_ERROR_MESSAGE_MAX];
  va_list args;

  if (error == NULL)
    return;

  va_start (args, format);
  vsnprintf (prefix, sizeof prefix, format, args);
  va_end (args);

  snprintf (joined, sizeof joined, "%s%s", prefix, error->message);
  memcpy (error->message, joined, sizeof joined);
}

void
bp_error_clear (BpError *error)
{
  if (error == NULL)
    return;

  error->code = BP_ERROR_NONE;
  error->message[0] = '\0';
}
