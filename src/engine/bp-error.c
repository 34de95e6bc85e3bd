/* bp-error.c — errors as values for the Backprop engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-error.h"

#include <stdio.h>
#include <string.h>

/* A message cut to its buffer's size can end inside a UTF-8 character, which GTK then refuses
 * to show: drop the incomplete character. */
static void
trim_partial_utf8 (char *s)
{
  size_t len = strlen (s), i = len, need;
  unsigned char lead;

  /* Back over the trailing continuation bytes (10xxxxxx) to the byte that leads them. */
  while (i > 0 && len - i < 3 && ((unsigned char) s[i - 1] & 0xC0) == 0x80)
    i--;
  if (i == 0)
    return;
  lead = (unsigned char) s[i - 1];
  if (lead < 0x80)
    return;
  need = (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 1;
  if (len - (i - 1) < need)
    s[i - 1] = '\0';
}

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
  trim_partial_utf8 (error->message);

  return false;
}

void
bp_error_prefix (BpError    *error,
                 const char *format,
                 ...)
{
  char prefix[BP_ERROR_MESSAGE_MAX];
  size_t plen, mlen;
  va_list args;
  int n;

  if (error == NULL)
    return;

  va_start (args, format);
  n = vsnprintf (prefix, sizeof prefix, format, args);
  va_end (args);
  if (n <= 0)
    return;

  /* Shift the message right to make room, truncating its end if the whole does not fit. */
  plen = strlen (prefix);
  mlen = strnlen (error->message, sizeof error->message - 1);
  if (plen > sizeof error->message - 1)
    plen = sizeof error->message - 1;
  if (plen + mlen > sizeof error->message - 1)
    mlen = sizeof error->message - 1 - plen;
  memmove (error->message + plen, error->message, mlen);
  memcpy (error->message, prefix, plen);
  error->message[plen + mlen] = '\0';
  trim_partial_utf8 (error->message);
}

void
bp_error_clear (BpError *error)
{
  if (error == NULL)
    return;

  error->code = BP_ERROR_NONE;
  error->message[0] = '\0';
}
