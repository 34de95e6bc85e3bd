/* bp-chart-ticks.c — where a chart's axes put their ticks, and how the ticks are labelled
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-chart-ticks.h"

#include <math.h>

#include "bp-text.h"

/* The 1, 2 or 5 × 10^k step nearest to @raw (Heckbert's "nice numbers"). */
static double
nice_step (double raw)
{
  double magnitude = pow (10.0, floor (log10 (raw)));
  double norm = raw / magnitude;

  if (norm < 1.5)
    return magnitude;
  if (norm < 3.0)
    return 2.0 * magnitude;
  if (norm < 7.0)
    return 5.0 * magnitude;
  return 10.0 * magnitude;
}

/* The next 1, 2 or 5 × 10^k step after @step. */
static double
next_step (double step)
{
  return nice_step (step * 1.5);
}

static double
clean_zero (double v,
            double step)
{
  return fabs (v) < step * 1e-9 ? 0.0 : v;
}

guint
bp_chart_linear_ticks (double  min,
                       double  max,
                       guint   target,
                       double *lo,
                       double *hi,
                       double *ticks,
                       guint   max_ticks,
                       double *step_out)
{
  double step;
  double k_lo, k_hi;
  guint n;

  if (!(max > min))
    {
      double pad = fabs (min) > 1e-12 ? fabs (min) * 0.1 : 0.5;

      min -= pad;
      max += pad;
    }

  step = nice_step ((max - min) / MAX (target, 1u));
  for (;;)
    {
      k_lo = floor (min / step + 1e-9);
      k_hi = ceil (max / step - 1e-9);
      if (k_hi <= k_lo)
        k_hi = k_lo + 1.0;
      if (k_hi - k_lo + 1.0 <= max_ticks)
        break;
      step = next_step (step);
    }

  n = (guint) (k_hi - k_lo) + 1;
  for (guint i = 0; i < n; i++)
    ticks[i] = clean_zero ((k_lo + i) * step, step);
  *lo = ticks[0];
  *hi = ticks[n - 1];
  if (step_out != NULL)
    *step_out = step;

  return n;
}

/* The largest 1, 2 or 5 × 10^k not above @v (> 0). */
static double
floor_125 (double v)
{
  double magnitude = pow (10.0, floor (log10 (v) + 1e-12));
  double norm = v / magnitude;

  if (norm >= 5.0 - 1e-9)
    return 5.0 * magnitude;
  if (norm >= 2.0 - 1e-9)
    return 2.0 * magnitude;
  return magnitude;
}

/* The 1, 2 or 5 × 10^k value after @v, which is one itself. */
static double
next_125 (double v)
{
  double magnitude = pow (10.0, floor (log10 (v) + 1e-12));
  double norm = v / magnitude;

  if (norm < 1.5)
    return 2.0 * magnitude;
  if (norm < 3.5)
    return 5.0 * magnitude;
  return 10.0 * magnitude;
}

static guint
log_ticks (double  min,
           double  max,
           guint   target,
           double *lo,
           double *hi,
           double *ticks,
           guint   max_ticks)
{
  double k_lo, k_hi, stride;
  guint n = 0;

  if (!(max > min))
    max = min * 1.0001;

  /* A short span: ticks at 1, 2 and 5 × 10^k read better than two lonely powers of ten. */
  {
    double v = floor_125 (min);
    double top = v;
    guint count = 1;

    while (top < max * (1.0 - 1e-9) && count <= max_ticks)
      {
        top = next_125 (top);
        count++;
      }

    if (count <= MAX (target, 3u) + 1 && count <= max_ticks)
      {
        for (guint i = 0; i < count; i++, v = next_125 (v))
          ticks[i] = v;
        *lo = ticks[0];
        *hi = ticks[count - 1];
        return count;
      }
  }

  /* Powers of ten, every @stride-th one when there are too many decades. */
  k_lo = floor (log10 (min) + 1e-9);
  k_hi = ceil (log10 (max) - 1e-9);
  if (k_hi <= k_lo)
    k_hi = k_lo + 1.0;
  stride = ceil ((k_hi - k_lo) / MAX (target, 1u));
  while ((k_hi - k_lo) / stride + 1.0 > max_ticks)
    stride += 1.0;
  k_lo = floor (k_lo / stride) * stride;
  k_hi = ceil (k_hi / stride) * stride;

  for (double k = k_lo; k <= k_hi + 0.5 && n < max_ticks; k += stride)
    ticks[n++] = pow (10.0, k);
  *lo = ticks[0];
  *hi = ticks[n - 1];

  return n;
}

guint
bp_chart_nice_ticks (double   min,
                     double   max,
                     gboolean log_scale,
                     guint    target,
                     double  *lo,
                     double  *hi,
                     double  *ticks,
                     guint    max_ticks)
{
  g_return_val_if_fail (lo != NULL && hi != NULL && ticks != NULL, 0);
  g_return_val_if_fail (max_ticks >= 2, 0);
  g_return_val_if_fail (isfinite (min) && isfinite (max) && min <= max, 0);
  g_return_val_if_fail (!log_scale || min > 0.0, 0);

  if (log_scale)
    return log_ticks (min, max, target, lo, hi, ticks, max_ticks);

  return bp_chart_linear_ticks (min, max, target, lo, hi, ticks, max_ticks, NULL);
}

static const char *const superscripts[] = {
  "\342\201\260", "\302\271", "\302\262", "\302\263", "\342\201\264",
  "\342\201\265", "\342\201\266", "\342\201\267", "\342\201\270", "\342\201\271",
};

char *
bp_chart_format_tick (double   value,
                      double   step,
                      gboolean log_scale)
{
  if (!log_scale)
    {
      int decimals = step > 0.0 ? (int) ceil (-log10 (step) - 1e-9) : 0;

      return bp_text_format_number (value, MAX (decimals, 0));
    }

  if (value >= 1e-3 && value < 1e5)
    {
      int decimals = (int) ceil (-log10 (value) - 1e-9);

      /* 1, 2 or 5 × 10^k needs exactly -k decimals; other values get up to two more. */
      if (fabs (value - floor_125 (value)) > value * 1e-6)
        decimals += 2;

      return bp_text_format_number (value, MAX (decimals, 0));
    }
  else
    {
      int exponent = (int) floor (log10 (value) + 1e-9);
      double mantissa = value / pow (10.0, exponent);
      GString *text = g_string_new (NULL);
      char digits[16];

      if (fabs (mantissa - 1.0) > 1e-6)
        g_string_append_printf (text, "%.3g\303\227", mantissa); /* × */
      g_string_append (text, "10");
      if (exponent < 0)
        g_string_append (text, "\342\201\273"); /* superscript minus */
      g_snprintf (digits, sizeof digits, "%d", ABS (exponent));
      for (const char *d = digits; *d != '\0'; d++)
        g_string_append (text, superscripts[*d - '0']);

      return g_string_free (text, FALSE);
    }
}
