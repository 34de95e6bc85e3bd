/* bp-number.c — numbers as text in the C locale's form, whatever the process's locale
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-number.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A C locale for this thread while it lives: uselocale() is per thread, so this is safe beside
 * threads that read or write numbers under the process's locale. When no locale can be made
 * (out of memory), the process's locale is used, which is the C one in the CLI and the tests. */
typedef struct
{
  locale_t c;
  locale_t old;
} CLocale;

static void
c_locale_enter (CLocale *cl)
{
  cl->c = newlocale (LC_NUMERIC_MASK, "C", (locale_t) 0);
  cl->old = cl->c != (locale_t) 0 ? uselocale (cl->c) : (locale_t) 0;
}

static void
c_locale_leave (CLocale *cl)
{
  if (cl->c == (locale_t) 0)
    return;
  uselocale (cl->old);
  freelocale (cl->c);
}

bool
bp_number_parse_prefix (const char  *text,
                        double      *out,
                        const char **end)
{
  CLocale cl;
  char *stop = NULL;
  double value;
  int saved;

  *end = text;
  /* strtod would skip white space and read "inf", "nan" and hexadecimal floats: none of them
   * is a number of ours. */
  if (text == NULL || !((*text >= '0' && *text <= '9') || *text == '-' || *text == '+'
                        || *text == '.'))
    return false;
  if ((text[0] == '-' || text[0] == '+') && !((text[1] >= '0' && text[1] <= '9') || text[1] == '.'))
    return false;
  if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    return false;
  if ((text[0] == '-' || text[0] == '+') && text[1] == '0' && (text[2] == 'x' || text[2] == 'X'))
    return false;

  c_locale_enter (&cl);
  errno = 0;
  value = strtod (text, &stop);
  saved = errno;
  c_locale_leave (&cl);

  if (stop == text || saved == ERANGE || !isfinite (value))
    return false;
  *out = value;
  *end = stop;
  return true;
}

bool
bp_number_parse (const char *text,
                 double     *out)
{
  const char *end;
  double value;

  if (!bp_number_parse_prefix (text, &value, &end) || *end != '\0')
    return false;
  *out = value;
  return true;
}

void
bp_number_format_float (float   value,
                        char   *buf,
                        size_t  buf_size)
{
  CLocale cl;

  if (buf == NULL || buf_size == 0)
    return;
  c_locale_enter (&cl);
  for (int digits = 6; digits <= 9; digits++)
    {
      snprintf (buf, buf_size, "%.*g", digits, (double) value);
      if (digits == 9 || (float) strtod (buf, NULL) == value)
        break;
    }
  c_locale_leave (&cl);
}
